/**
 * Reads a `multipart/form-data` form (a file upload) into `req.body`, so the
 * session guard finds the form's `_csrf` field as in any other form, and the
 * route's zod schema sees plain fields. Express has no multipart parser of
 * its own; Node's built-in `Response.formData()` (undici) parses it, so no
 * dependency is needed for one upload form.
 *
 * @module
 */
import express, { type NextFunction, type Request, type Response as Reply } from 'express';

/** A file field of a multipart form. */
export interface UploadedFile {
  /** The name the browser gave; only for showing it back. */
  readonly filename: string;
  readonly bytes: Uint8Array;
}

export const isUploadedFile = (value: unknown): value is UploadedFile =>
  typeof value === 'object' && value !== null && 'bytes' in value && 'filename' in value;

/**
 * Middleware that parses a multipart body of at most `limitBytes` into
 * `req.body`: text fields as strings, files as {@link UploadedFile}. Other
 * requests pass untouched. A larger body is answered 413 before any route
 * (or the session check) runs, a malformed one 400.
 */
export function multipartForm(limitBytes: number) {
  const raw = express.raw({ type: 'multipart/form-data', limit: limitBytes });
  const tooLarge = (err: unknown, _req: Request, res: Reply, next: NextFunction) => {
    if ((err as { type?: string }).type !== 'entity.too.large') return next(err);
    const mb = Math.floor(limitBytes / 1024 ** 2);
    res.status(413).type('text').send(`Filen är för stor: högst ${mb} MB.\n`);
  };
  const toFields = async (req: Request, res: Reply, next: NextFunction) => {
    if (!Buffer.isBuffer(req.body)) return next();
    let form: FormData;
    try {
      form = await new Response(new Uint8Array(req.body), {
        headers: { 'content-type': req.get('content-type') ?? '' },
      }).formData();
    } catch {
      res.status(400).type('text').send('Formuläret kunde inte läsas.\n');
      return;
    }
    const fields: Record<string, string | UploadedFile> = {};
    const files: Promise<void>[] = [];
    form.forEach((value, name) => {
      if (typeof value === 'string') fields[name] = value;
      else
        files.push(
          value.arrayBuffer().then((buffer) => {
            fields[name] = { filename: value.name, bytes: new Uint8Array(buffer) };
          }),
        );
    });
    await Promise.all(files);
    req.body = fields;
    next();
  };
  return [raw, tooLarge, toFields];
}
