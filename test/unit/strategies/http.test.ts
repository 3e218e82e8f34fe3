/** The real GET of the HTTP gates, against a local server: the status only, redirects not followed, a timeout named. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeHttpError, httpGet } from '../../../src/strategies/common/http.js';

let server: Server;
let base: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url === '/moved') {
      res.writeHead(301, { location: '/health' }).end();
    } else if (req.url === '/slow') {
      setTimeout(() => res.writeHead(200).end('late'), 2000).unref();
    } else if (req.url === '/health') {
      res.writeHead(200).end('ok');
    } else {
      res.writeHead(503).end('down');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

describe('httpGet', () => {
  it('gives the status of a GET', async () => {
    expect(await httpGet(`${base}/health`, 2000)).toEqual({ status: 200 });
    expect(await httpGet(`${base}/other`, 2000)).toEqual({ status: 503 });
  });

  it('does not follow redirects: the status is what the URL answers', async () => {
    expect(await httpGet(`${base}/moved`, 2000)).toEqual({ status: 301 });
  });

  it('rejects when no answer comes within the timeout, and says so', async () => {
    const error = await httpGet(`${base}/slow`, 100).catch((e: unknown) => e);
    expect(describeHttpError(error, 100)).toBe('no answer within 0.1s');
  });

  it('rejects when nothing listens, naming the cause', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const error = await httpGet(`http://127.0.0.1:${port}/health`, 2000).catch((e: unknown) => e);
    expect(describeHttpError(error, 2000)).toMatch(/ECONNREFUSED/);
  });
});
