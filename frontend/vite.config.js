import { fileURLToPath } from "node:url";

import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

const buildDir = fileURLToPath(new URL("../static/build", import.meta.url));

// Django renders the HTML page (templates/webapp/index.html) and reads
// manifest.json to find the hashed entry files, so the build has no
// index.html of its own. The manifest lies outside a dot-directory because
// collectstatic skips names that start with a dot.
export default defineConfig({
  plugins: [react()],
  base: "/static/build/",
  build: {
    outDir: buildDir,
    emptyOutDir: true,
    manifest: "manifest.json",
    rollupOptions: {
      input: "src/main.jsx",
    },
  },
  test: {
    environment: "jsdom",
    include: ["src/**/*.test.{js,jsx}"],
    setupFiles: ["src/test-setup.js"],
  },
});
