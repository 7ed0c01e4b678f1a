import { z } from 'zod';

// zod schemas for what registries send: image-spec v1.1.1 descriptor.md, manifest.md, image-index.md.
// Unknown fields pass through (spec: implementations MUST NOT error on unknown properties).

const mediaType = z.string().min(1).max(255);
const digest = z.string().regex(/^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/, 'invalid digest');
const annotations = z.record(z.string(), z.string());

export const PlatformSchema = z.looseObject({
  architecture: z.string(),
  os: z.string(),
  'os.version': z.string().optional(),
  'os.features': z.array(z.string()).optional(),
  variant: z.string().optional(),
});

export const DescriptorSchema = z.looseObject({
  mediaType,
  digest,
  size: z.number().int().nonnegative(),
  urls: z.array(z.string()).optional(),
  annotations: annotations.optional(),
  data: z.string().optional(),
  artifactType: mediaType.optional(),
  platform: PlatformSchema.optional(),
});

export const ImageManifestSchema = z.looseObject({
  schemaVersion: z.literal(2),
  mediaType: mediaType.optional(),
  artifactType: mediaType.optional(),
  config: DescriptorSchema,
  layers: z.array(DescriptorSchema).max(100_000),
  subject: DescriptorSchema.optional(),
  annotations: annotations.optional(),
});

export const ImageIndexSchema = z.looseObject({
  schemaVersion: z.literal(2),
  mediaType: mediaType.optional(),
  artifactType: mediaType.optional(),
  manifests: z.array(DescriptorSchema).max(100_000),
  subject: DescriptorSchema.optional(),
  annotations: annotations.optional(),
});

export type Platform = z.infer<typeof PlatformSchema>;
export type Descriptor = z.infer<typeof DescriptorSchema>;
export type ImageManifest = z.infer<typeof ImageManifestSchema>;
export type ImageIndex = z.infer<typeof ImageIndexSchema>;
export type Manifest = ImageManifest | ImageIndex;
