import type { FastifyInstance } from 'fastify';

interface OpenApiOperation {
  summary?: string;
  description?: string;
  requestBody?: { content?: Record<string, { schema?: unknown }> };
  parameters?: { name: string; in: string; required?: boolean; description?: string }[];
  responses?: Record<string, unknown>;
}
type OpenApiDocument = { paths?: Record<string, Record<string, OpenApiOperation>> };

const escape = (text: string): string => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** A readable, dependency-free reference page rendered from the OpenAPI document. */
function renderReference(doc: OpenApiDocument): string {
  const sections: string[] = [];
  for (const [path, methods] of Object.entries(doc.paths ?? {})) {
    for (const [method, op] of Object.entries(methods)) {
      const body = op.requestBody?.content?.['application/json']?.schema;
      const params = (op.parameters ?? [])
        .map(
          (p) =>
            `<li><code>${escape(p.name)}</code> (${p.in}${p.required ? ', required' : ''}) ${escape(p.description ?? '')}</li>`,
        )
        .join('');
      sections.push(
        `<section><h2><code>${method.toUpperCase()} ${escape(path)}</code></h2>` +
          `<p><strong>${escape(op.summary ?? '')}</strong></p><p>${escape(op.description ?? '')}</p>` +
          (params ? `<h3>Parameters</h3><ul>${params}</ul>` : '') +
          (body ? `<h3>Request body</h3><pre>${escape(JSON.stringify(body, null, 2))}</pre>` : '') +
          `<h3>Responses</h3><p>${Object.keys(op.responses ?? {}).join(', ')}</p></section>`,
      );
    }
  }
  return (
    '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>omnigate API reference</title>' +
    '<style>body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}' +
    'pre{background:#f5f5f5;padding:1rem;overflow:auto}section{border-top:1px solid #ddd}</style></head>' +
    '<body><h1>omnigate API reference</h1><p>Machine-readable: <a href="/openapi.json">/openapi.json</a>. ' +
    'Every error body is <code>{"message","code","request_id"}</code>; every response carries ' +
    '<code>X-Request-Id</code>.</p>' +
    sections.join('') +
    '</body></html>'
  );
}

export async function docsRoutes(app: FastifyInstance): Promise<void> {
  const hidden = { schema: { hide: true } };
  app.get('/openapi.json', hidden, async () => app.swagger());
  app.get('/docs', hidden, async (_request, reply) =>
    reply.type('text/html; charset=utf-8').send(renderReference(app.swagger() as OpenApiDocument)),
  );
}
