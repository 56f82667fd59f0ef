import { readFileSync } from 'node:fs';
import path from 'node:path';

/** A multipart/form-data body (files and fields) for app.inject, built by the platform's FormData. */
export async function multipart(files: Record<string, string>, fields: Record<string, unknown> = {}) {
  const form = new FormData();
  for (const [name, file] of Object.entries(files)) {
    form.append(name, new Blob([readFileSync(file)], { type: 'text/csv' }), path.basename(file));
  }
  for (const [name, value] of Object.entries(fields))
    form.append(name, typeof value === 'string' ? value : JSON.stringify(value));
  const response = new Response(form);
  return {
    payload: Buffer.from(await response.arrayBuffer()),
    headers: { 'content-type': response.headers.get('content-type')! },
  };
}
