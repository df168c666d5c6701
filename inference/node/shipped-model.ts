/** The model folder Riffroom ships (models/<id>/), which the app and the tests load. */
export const SHIPPED_MODEL_ID = 'riffroom-bandmate-v2';
export const SHIPPED_MODEL_DIR = new URL(`../../models/${SHIPPED_MODEL_ID}/`, import.meta.url).pathname;
