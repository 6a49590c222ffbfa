// Two projects: fast unit tests, and end-to-end tests that drive the real
// Pulumi CLI (slow, serial). `npm test` runs both.
const transform = { "^.+\\.ts$": ["ts-jest", { tsconfig: "tsconfig.test.json" }] };
module.exports = {
    projects: [
        {
            displayName: "unit",
            testEnvironment: "node",
            transform,
            testMatch: ["<rootDir>/test/unit/**/*.test.ts"],
        },
        {
            displayName: "e2e",
            testEnvironment: "node",
            transform,
            testMatch: ["<rootDir>/test/e2e/**/*.test.ts"],
            globalSetup: "<rootDir>/test/e2e/global-setup.ts",
            setupFilesAfterEnv: ["<rootDir>/test/e2e/setup.ts"],
        },
    ],
};
