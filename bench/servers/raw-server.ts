/**
 * The raw ceiling: a bare node:http server that reads each request body and
 * answers with a prebuilt response (tidbok's own answer to the workload, so
 * it is correct and the same size). No parsing, no store, no encoding: the
 * most Node can do for this exchange on this machine.
 */
import { createServer } from 'node:http';
import { failChild, send, serveChild, type ToChild } from './child-protocol.ts';

let status = 200;
let body = Buffer.from('');

const server = createServer((req, res) => {
  req.on('data', () => undefined);
  req.on('end', () => {
    res.writeHead(status, {
      'Content-Type': 'text/xml; charset=UTF-8',
      'Content-Length': body.length,
    });
    res.end(body);
  });
});
server.keepAliveTimeout = 65_000;

serveChild(
  server,
  () => new Promise((resolve) => server.close(() => resolve())),
  (message: ToChild) => {
    if (message.type !== 'respond') return;
    status = message.status;
    body = Buffer.from(message.body, 'utf8');
    send({ type: 'responding' });
  },
).catch(failChild);
