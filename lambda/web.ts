/**
 * The example app's web function: a small notes API over HTTP (API Gateway
 * HTTP API or a function URL, payload format 2.0).
 *
 * It imports no task module: tasks are loaded by the admin entry only, so
 * admin code costs this function nothing at cold start.
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { loadConfig } from 'cnf-admin/runtime/config';
import { databaseFrom, type Database } from './db.js';
import { createNote, deleteNote, getNote, listNotes } from './notes.js';

/*
 * The web function may serve a parameter set up to this old: a changed
 * parameter reaches web traffic within half a minute, without a read of SSM
 * on every request.
 */
const CONFIG_MAX_AGE_SECONDS = 30;

type Response = APIGatewayProxyStructuredResultV2;

function json(statusCode: number, body: unknown): Response {
  return { statusCode, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
}

function readBody(event: APIGatewayProxyEventV2): unknown {
  if (event.body === undefined || event.body === '') return {};
  const text = event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
  return JSON.parse(text);
}

async function route(db: Database, event: APIGatewayProxyEventV2): Promise<Response> {
  const method = event.requestContext.http.method;
  const path = event.rawPath.replace(/\/+$/, '') || '/';
  if (method === 'GET' && path === '/health') return json(200, { ok: true, release: process.env.CNF_RELEASE });
  if (path === '/notes') {
    if (method === 'GET') return json(200, { notes: await listNotes(db) });
    if (method === 'POST') {
      const { title, body } = readBody(event) as { title?: unknown; body?: unknown };
      if (typeof title !== 'string' || title.trim() === '') return json(400, { error: 'title must be a non-empty string' });
      if (body !== undefined && typeof body !== 'string') return json(400, { error: 'body must be a string' });
      return json(201, { note: await createNote(db, title.trim(), body ?? '') });
    }
    return json(405, { error: `${method} is not allowed on /notes` });
  }
  const match = /^\/notes\/(\d+)$/.exec(path);
  if (match?.[1] !== undefined) {
    if (method === 'GET') {
      const note = await getNote(db, match[1]);
      return note === undefined ? json(404, { error: `no note ${match[1]}` }) : json(200, { note });
    }
    if (method === 'DELETE') return (await deleteNote(db, match[1])) ? { statusCode: 204 } : json(404, { error: `no note ${match[1]}` });
    return json(405, { error: `${method} is not allowed on ${path}` });
  }
  return json(404, { error: `no route for ${method} ${path}` });
}

/** The web function's handler. */
export async function handler(event: APIGatewayProxyEventV2): Promise<Response> {
  try {
    const config = await loadConfig({ maxAgeSeconds: CONFIG_MAX_AGE_SECONDS });
    return await route(databaseFrom(config.values), event);
  } catch (error) {
    if (error instanceof SyntaxError) return json(400, { error: `the request body is not JSON: ${error.message}` });
    console.error(
      JSON.stringify({
        level: 'ERROR',
        message: 'Request failed',
        error: { name: (error as Error).name, message: (error as Error).message, stack: (error as Error).stack },
      }),
    );
    return json(500, { error: 'internal error' });
  }
}
