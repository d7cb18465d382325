/// <reference types="vitest/config" />
// The explorer is built into dist/ and served by the API under /ui/: every script, style
// and font is a file of the build; nothing is fetched from another host at run time.
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

export default defineConfig({
  base: "/ui/",
  plugins: [react()],
  build: {
    outDir: "dist",
    emptyOutDir: true,
    chunkSizeWarningLimit: 4096,
    rollupOptions: {
      input: { main: "index.html", graphiql: "graphiql.html" },
      // GraphiQL's modules start with React Compiler directives the bundle need not keep
      onwarn(warning, warn) {
        if (warning.code !== "MODULE_LEVEL_DIRECTIVE") warn(warning);
      },
    },
  },
  server: { proxy: { "/graphql": "http://127.0.0.1:8000", "/exports": "http://127.0.0.1:8000" } },
  test: { environment: "happy-dom", include: ["src/**/*.test.ts", "src/**/*.test.tsx"] },
});
