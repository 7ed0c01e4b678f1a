export { assertUnpackTarget, unpackLayers } from './install.ts';
export type { UnpackLayer, UnpackOptions, UnpackProgress, UnpackResult, UnpackedLayer } from './install.ts';
export { DEFAULT_UNPACK_LIMITS, UnpackSession } from './extract.ts';
export type { UnpackLimits } from './extract.ts';
export { ANNOTATION_ORAS_DIGEST, ANNOTATION_ORAS_UNPACK, ANNOTATION_TITLE, layerDisposition, layerFormat } from './media.ts';
export type { LayerCompression, LayerDisposition, LayerFormat } from './media.ts';
export { decompressor, MAX_ZSTD_WINDOW, zstdWindowSize } from './decompress.ts';
export { checkSymlinkTarget, digestFileName, entryPath, plainFileName, titlePath } from './paths.ts';
