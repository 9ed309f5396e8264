export { Surfaces, SurfaceError, MOOD_NAMES, retrieval, type SurfaceRequest, type SurfaceResponse, type ServedItem } from './serve.js';
export { toSeqItems, itemOf } from './items.js';
