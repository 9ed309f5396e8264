export { Surfaces, SurfaceError, MOOD_NAMES, type SurfaceRequest, type SurfaceResponse, type ServedItem } from './serve.js';
export { toSeqItems, itemOf } from './items.js';
