import { z } from "zod";
import { pageOf } from "./http.ts";

/**
 * A class label, as text: the CSV's label value (integer labels in their canonical decimal form,
 * "07" → "7"). Always a string so every client reads one type.
 */
export const ClassLabel = z.string();
export type ClassLabel = z.infer<typeof ClassLabel>;

/** `shape=C,H,W` of an upload: three positive integers (image data, features = C·H·W row-major). */
export const ImageShape = z.tuple([z.int().min(1), z.int().min(1), z.int().min(1)]);
export type ImageShape = z.infer<typeof ImageShape>;

/** Query of `POST /v1/datasets` (the body is the CSV, content-type text/csv). */
export const DatasetUploadQuery = z.strictObject({
  name: z.string().min(1).max(200),
  /** The header name of the label column; every other column is a numeric feature. */
  label: z.string().min(1).max(200),
  shape: z
    .string()
    .regex(/^\d+,\d+,\d+$/, "shape must be C,H,W (three positive integers)")
    .transform((s) => s.split(",").map(Number))
    .pipe(ImageShape)
    .optional(),
});
export type DatasetUploadQuery = z.infer<typeof DatasetUploadQuery>;

/**
 * A stored dataset. `labels[i]` is the label of class index i: distinct label values sorted
 * (numerically when all are integers, else as strings). `sha256` is the hash of the stored
 * content (features, labels, shape); the same content is stored once and a second upload of it
 * returns this dataset. `bytes` is the size of the uploaded CSV.
 */
export const Dataset = z.object({
  id: z.uuid(),
  name: z.string(),
  labelColumn: z.string(),
  rows: z.int(),
  features: z.int(),
  classes: z.int(),
  labels: z.array(ClassLabel),
  shape: ImageShape.nullable(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  bytes: z.int(),
  createdAt: z.iso.datetime(),
});
export type Dataset = z.infer<typeof Dataset>;

export const DatasetPage = pageOf(Dataset);
export type DatasetPage = z.infer<typeof DatasetPage>;
