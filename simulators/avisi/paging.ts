/**
 * Spring-style pages (avisi.md §3): query `page` (zero-based) and `size`, envelope
 * `{content, pageable, last, totalPages, totalElements, numberOfElements, number, sort, first, size, empty}`.
 */
import { SimulatorHttpError } from "../core/http-error";

/** One page of `items` as the API answers it. */
export function springPage<T>(items: readonly T[], url: URL, defaultSize: number): Record<string, unknown> {
    const page = integerParam(url, "page", 0);
    const size = integerParam(url, "size", defaultSize);
    if (size < 1) throw new SimulatorHttpError(400, "BAD_REQUEST", "Page size must be at least one.");
    const totalPages = Math.max(1, Math.ceil(items.length / size));
    const content = items.slice(page * size, page * size + size);
    const sort = { sorted: false, unsorted: true, empty: true };
    return {
        content,
        pageable: { pageNumber: page, pageSize: size, offset: page * size, paged: true, unpaged: false, sort },
        last: page >= totalPages - 1,
        totalPages,
        totalElements: items.length,
        numberOfElements: content.length,
        number: page,
        sort,
        first: page === 0,
        size,
        empty: content.length === 0,
    };
}

function integerParam(url: URL, name: string, fallback: number): number {
    const raw = url.searchParams.get(name);
    if (raw === null || raw === "") return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < 0)
        throw new SimulatorHttpError(400, "BAD_REQUEST", `Query parameter ${name} must be a non-negative integer.`);
    return value;
}
