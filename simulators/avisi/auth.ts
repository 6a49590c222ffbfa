/**
 * Personal-access-token auth: `Authorization: Token <pat>` with the literal scheme word `Token`
 * (avisi.md §1). `Bearer`, a missing header or an unknown token answer 401 with the error body
 * (the 401 status and body are [unknown]; the simulator's assumption). The admin API needs the
 * admin token; the user's token there answers 403.
 */
import type { IncomingMessage } from "node:http";
import { SimulatorHttpError } from "../core/http-error";

/** The accepted tokens and how many requests carried each kind. */
export class AvisiAuth {
    /** Requests rejected for a missing, malformed or unknown token. */
    rejected = 0;

    constructor(private readonly tokens: () => { user: string; admin: string }) {}

    /** Require the user's (or the admin's) token. */
    requireUser(req: IncomingMessage): void {
        const token = this.tokenOf(req);
        const { user, admin } = this.tokens();
        if (token !== user && token !== admin) this.reject("The personal access token is not valid.");
    }

    /** Require the admin token (admin API). */
    requireAdmin(req: IncomingMessage): void {
        const token = this.tokenOf(req);
        const { user, admin } = this.tokens();
        if (token === admin) return;
        if (token === user)
            throw new SimulatorHttpError(403, "FORBIDDEN", "You do not have the necessary permissions to access this resource.");
        this.reject("The personal access token is not valid.");
    }

    private tokenOf(req: IncomingMessage): string {
        const header = req.headers.authorization;
        if (header === undefined) this.reject("Missing Authorization header; send Authorization: Token <personal access token>.");
        const match = /^(\S+)\s+(\S+)$/.exec(header!.trim());
        if (!match || match[1] !== "Token") this.reject('Unsupported authorization scheme; the scheme is "Token", not "Bearer".');
        return match![2]!;
    }

    private reject(message: string): never {
        this.rejected++;
        throw new SimulatorHttpError(401, "UNAUTHORIZED", message);
    }
}
