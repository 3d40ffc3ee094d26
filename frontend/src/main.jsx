import { StrictMode } from "react";
import { createRoot } from "react-dom/client";

import { App } from "./App";
import "./styles.css";

// The Django page embeds {"user": ...} with json_script, which saves one
// request on the first load. Without it the app fetches the session API.
function readInitialUser() {
  const element = document.getElementById("app-config");
  if (!element) {
    return undefined;
  }
  try {
    return JSON.parse(element.textContent).user ?? null;
  } catch {
    return undefined;
  }
}

createRoot(document.getElementById("root")).render(
  <StrictMode>
    <App initialUser={readInitialUser()} />
  </StrictMode>,
);
