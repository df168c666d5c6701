/**
 * Where the shipped sound bank lies in a built web client (renderer/dist, served by the sync
 * server at /, packaged as is in the desktop app): beside index.html, so a page fetches it by this
 * relative URL. Browser-safe (no Node imports): the player imports it in the page.
 */
export const BANK_FILE_NAME = 'riffroom-bank.sf3';
