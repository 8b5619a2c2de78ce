/**
 * Vite config of the digit page. The workspace packages are TypeScript with `.ts` import
 * specifiers (`linax-ts` → packages/linax-ts/src/index.ts through the npm workspace link); Vite
 * compiles them as sources, so the page needs no separate build of the library. The repository
 * root is allowed for the dev server because those sources (and examples/mnist/model.ts, the
 * model builder shared with the CLI) live outside apps/web.
 */
import { defineConfig } from "vite";
import { fileURLToPath } from "node:url";

const repoRoot = fileURLToPath(new URL("../..", import.meta.url));

export default defineConfig({
  root: fileURLToPath(new URL(".", import.meta.url)),
  base: "./",
  server: { host: "127.0.0.1", fs: { allow: [repoRoot] } },
  preview: { host: "127.0.0.1" },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: "es2022",
    chunkSizeWarningLimit: 4096,
    // Class names must survive minification: nn's State keys BatchNorm statistics by the field
    // path from the model's class name ("SSM.blocks.0.norm…"), and checkpoints store those keys.
    rolldownOptions: { output: { keepNames: true } },
  },
});
