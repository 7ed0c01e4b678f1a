export { assertUnpackTarget, unpackLayers, ANNOTATION_TITLE } from './install.ts';
export type { UnpackLayer, UnpackOptions, UnpackProgress, UnpackResult, UnpackedLayer } from './install.ts';
export { DEFAULT_UNPACK_LIMITS, UnpackSession } from './extract.ts';
export type { UnpackLimits } from './extract.ts';
export { layerFormat } from './media.ts';
export type { LayerCompression, LayerFormat } from './media.ts';
export { decompressor, MAX_ZSTD_WINDOW, zstdWindowSize } from './decompress.ts';
export { checkSymlinkTarget, digestFileName, entryPath, plainFileName } from './paths.ts';
