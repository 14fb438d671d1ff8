/** Vitest's browser server: the web app's origin in tests (allowed by the API's CORS and dev identity). */
export const TEST_PORT = 63_315;
export const TEST_ORIGIN = `http://localhost:${TEST_PORT}`;
