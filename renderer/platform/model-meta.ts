/**
 * The <meta name="riffroom-model" content="<id>"> that renderer/build.ts writes into index.html:
 * the id of the model the app was built with, served by the sync server at /models/<id>/.
 */
export const MODEL_META = 'riffroom-model';
