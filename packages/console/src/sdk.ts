/**
 * The browser SDK (`packages/browser`), as the console imports it. The server answers `/console/src/sdk.ts` with
 * the SDK's own source (types stripped), so the console signs in with the same code every single-page app uses;
 * this file only lets the type checker see the same module.
 */
export * from '@latchkey/browser';
