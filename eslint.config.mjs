// ESLint flat config: the recommended JavaScript and typescript-eslint rule sets, nothing stricter,
// so code formatted with Prettier (.prettierrc) passes. Formatting itself is Prettier's job.
import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
    {
        ignores: [
            "node_modules/",
            "bin/",
            "docs/",
            ".pulumi-engine/",
            ".test-work/",
            ".demo/",
            "tools/",
            "coverage/",
            "examples/*/node_modules/",
        ],
    },
    js.configs.recommended,
    ...tseslint.configs.recommended,
    {
        languageOptions: {
            ecmaVersion: 2023,
            sourceType: "module",
            globals: {
                console: "readonly",
                process: "readonly",
                Buffer: "readonly",
                setTimeout: "readonly",
                clearTimeout: "readonly",
                setInterval: "readonly",
                clearInterval: "readonly",
                setImmediate: "readonly",
                URL: "readonly",
                __dirname: "readonly",
                require: "readonly",
                module: "writable",
                NodeJS: "readonly",
                AbortController: "readonly",
                AbortSignal: "readonly",
                TextDecoder: "readonly",
                TextEncoder: "readonly",
                structuredClone: "readonly",
                fetch: "readonly",
            },
        },
        rules: {
            // `_`-prefixed names are deliberately unused (destructuring to drop a key, fixed-arity callbacks).
            "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrors: "none" }],
        },
    },
    {
        // Tests and scripts: jest globals, `require` of CommonJS-only helpers, loose fixtures.
        files: ["test/**/*.ts", "bench/**", "scripts/**", "**/*.js", "**/*.mjs", "**/*.mts"],
        languageOptions: {
            globals: {
                jest: "readonly",
                describe: "readonly",
                it: "readonly",
                test: "readonly",
                expect: "readonly",
                beforeAll: "readonly",
                afterAll: "readonly",
                beforeEach: "readonly",
                afterEach: "readonly",
            },
        },
        rules: {
            "@typescript-eslint/no-require-imports": "off",
            "@typescript-eslint/no-explicit-any": "off",
        },
    },
);
