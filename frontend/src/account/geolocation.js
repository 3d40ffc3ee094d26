// The browser's position for a neighbourhood confirmation. The server uses
// it for the distance check only and stores no coordinates.
const GEOLOCATION_TIMEOUT_MS = 15000;

const GEOLOCATION_ERRORS = {
  1: "Location access was denied. Allow it for this site in the browser's settings and try again.",
  2: "The browser could not find your location. Try again outdoors or on another network.",
  3: "Finding your location took too long. Try again.",
};

/** Resolves to `{latitude, longitude}` or rejects with a `userMessage`. */
export function currentPosition(geolocation = globalThis.navigator?.geolocation) {
  return new Promise((resolve, reject) => {
    if (!geolocation) {
      reject(
        Object.assign(new Error("no geolocation"), {
          userMessage: "This browser cannot share its location, so the neighbourhood cannot be confirmed here.",
        }),
      );
      return;
    }
    geolocation.getCurrentPosition(
      (position) =>
        resolve({ latitude: position.coords.latitude, longitude: position.coords.longitude }),
      (error) =>
        reject(
          Object.assign(new Error(error.message), {
            userMessage: GEOLOCATION_ERRORS[error.code] ?? `The location is unavailable (${error.message}).`,
          }),
        ),
      { timeout: GEOLOCATION_TIMEOUT_MS, maximumAge: 60000 },
    );
  });
}
