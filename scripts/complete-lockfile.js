#!/usr/bin/env node
// Adds lock entries for platform-specific optional packages that the npm registry mirror of our
// build machines does not serve (it answers 404 for e.g. @unrs/resolver-binding-darwin-arm64), so
// `npm install` there leaves them out of package-lock.json and `npm ci` then refuses the lock
// ("Missing: … from lock file"). The entries carry os/cpu/libc, so npm skips them on other platforms
// without fetching, exactly as for a lock written against the full registry. Run after `npm install`
// changes the lock: `node scripts/complete-lockfile.js`.
const fs = require("node:fs");
const path = require("node:path");

const lockPath = path.join(__dirname, "..", "package-lock.json");
const lock = JSON.parse(fs.readFileSync(lockPath, "utf8"));
const packages = lock.packages;

/** os/cpu/libc of a binding, from the platform triple in its name (napi-rs naming). */
function platformOf(name) {
    const triple = name
        .split("/")
        .pop()
        .replace(/^.*?-binding-/, "");
    const [os, cpu, abi] = triple.split("-");
    const entry = { cpu: [cpu === "arm" ? "arm" : cpu], os: [os] };
    if (os === "linux") entry.libc = [abi && abi.startsWith("musl") ? "musl" : "glibc"];
    return entry;
}

let added = 0;
for (const [key, pkg] of Object.entries(packages)) {
    for (const [dep, version] of Object.entries(pkg.optionalDependencies ?? {})) {
        const base = key === "" ? "node_modules" : `${key}/node_modules`;
        if (packages[`${base}/${dep}`] || packages[`node_modules/${dep}`]) continue;
        if (!/-binding-|-(darwin|win32|linux|android|freebsd|openharmony)-/.test(dep)) continue;
        const p = platformOf(dep);
        packages[`node_modules/${dep}`] = { version, ...p, dev: pkg.dev || undefined, license: pkg.license, optional: true };
        added++;
    }
}
const sorted = Object.fromEntries(Object.entries(packages).sort(([a], [b]) => (a === "" ? -1 : b === "" ? 1 : a.localeCompare(b))));
lock.packages = sorted;
fs.writeFileSync(lockPath, JSON.stringify(lock, null, 2) + "\n");
console.log(`complete-lockfile: added ${added} platform entries`);
