// ESLint flat config for the whole tree (`npm run lint`). Formatting is Prettier's job
// (`npm run format`, see .prettierrc.json); eslint-config-prettier, last, turns off every rule
// that would argue with it. The rules below are chosen to catch defects, not to police style:
// a rule that fires often on correct code is reconfigured or dropped, not silenced line by line.
import js from "@eslint/js";
import tseslint from "typescript-eslint";
import prettier from "eslint-config-prettier";
import globals from "globals";

/** TypeScript files outside tsconfig.json's program: linted without type information. */
const OUTSIDE_PROGRAM = ["packages/backend-cpu/scripts/**/*.ts", "packages/backend-webgpu/bench/**/*.ts"];

export default tseslint.config(
  {
    // Generated, vendored or scratch output; never hand-written sources.
    ignores: [
      "**/node_modules/**",
      "**/dist/**",
      "docs/api/**",
      "bench/results/**",
      "testdata/**",
      "scratch/**",
      "runs/**",
      "tmp/**",
      ".gpu*/**",
      "**/*.tmp.*",
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ["**/*.ts"],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // Promises: an un-awaited `x.data()` or an async callback where a sync one is expected loses
      // errors and reorders reads — real defects in a library whose reads are async.
      // node:test's test()/describe() return promises the runner itself awaits.
      "@typescript-eslint/no-floating-promises": [
        "error",
        {
          allowForKnownSafeCalls: [
            {
              from: "package",
              package: "node:test",
              name: ["test", "describe", "it", "suite", "before", "after", "beforeEach", "afterEach"],
            },
          ],
        },
      ],
      "@typescript-eslint/no-misused-promises": "error",
      "@typescript-eslint/await-thenable": "error",
      // `declare namespace` holds types only (the generated public-namespace.ts files merge one with
      // the const of a wrapped namespace, so that `np.PadMode` stays a type); module syntax elsewhere.
      "@typescript-eslint/no-namespace": ["error", { allowDeclarations: true }],
    },
  },
  {
    files: ["**/*.ts"],
    rules: {
      // Type-only imports are erased (isolatedModules); marking them keeps import cycles and
      // load-time side effects visible in the value imports alone.
      // ...and an import whose every name is a type is written `import type { … }`, not `import { type … }`.
      "@typescript-eslint/no-import-type-side-effects": "error",
      "@typescript-eslint/consistent-type-imports": [
        "error",
        { prefer: "type-imports", fixStyle: "inline-type-imports", disallowTypeAnnotations: false },
      ],
      "@typescript-eslint/no-unused-vars": [
        "error",
        {
          argsIgnorePattern: "^_",
          varsIgnorePattern: "^_",
          caughtErrorsIgnorePattern: "^_",
          destructuredArrayIgnorePattern: "^_",
          ignoreRestSiblings: true,
        },
      ],
    },
  },
  {
    // Type-level tests: a variable exists to have its type asserted, never to be read.
    files: ["**/*.types.ts"],
    rules: { "@typescript-eslint/no-unused-vars": "off" },
  },
  {
    rules: {
      // Polynomial and rational coefficients are written with the digits of their source (XLA,
      // Cephes, our fit scripts); the literal rounding to the nearest double is intended.
      "no-loss-of-precision": "off",
      // `let [a, b] = …` where only `a` is reassigned stays one declaration.
      "prefer-const": ["error", { destructuring: "all" }],
      // `{}` appears only as the "no options given" default of a const type parameter
      // (`grad<const O extends GradOptions = {}>`), where it means exactly that.
      "@typescript-eslint/no-empty-object-type": "off",
      // `== null` (null or undefined) is the one loose comparison that says what it means.
      eqeqeq: ["error", "always", { null: "ignore" }],
    },
  },
  {
    files: [...OUTSIDE_PROGRAM, "**/*.js", "**/*.mjs", "**/*.cjs"],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: { ...tseslint.configs.disableTypeChecked.languageOptions, globals: { ...globals.node } },
  },
  prettier,
);
