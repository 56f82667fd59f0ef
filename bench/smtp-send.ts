// SMTP sending throughput: n survey invitations through the connection pool to the test SMTP
// server, for maxConnections 1 and 5 in the same run. The server runs in a child process so it
// does not share the sender's event loop (it parses every message, as a relay would).
// Usage: node bench/smtp-send.ts [n=5000] [concurrency=100] [replyDelayMs=0]
// replyDelayMs makes the server wait before answering each message, like a relay across a network
// that writes its queue to disk: the pool's connections then overlap those waits.
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { createSmtpTransport, type SmtpTransport } from '../src/integrations/email/smtp-transport.ts';
import { startSmtpServer } from '../test/harness/smtp-server.ts';

type ToServer = 'stats' | 'close';
type FromServer = { port: number } | { received: number; connections: number };

if (process.argv[2] === '--serve') {
  const server = await startSmtpServer({ delay: { dataMs: Number(process.argv[3] ?? 0) } });
  process.send!({ port: server.port } satisfies FromServer);
  let received = 0;
  process.on('message', async (message: ToServer) => {
    received += server.messages.splice(0).length; // counted, then dropped: memory stays flat
    if (message === 'stats')
      process.send!({ received, connections: server.connections } satisfies FromServer);
    if (message === 'close') {
      await server.close();
      process.disconnect();
    }
  });
} else {
  await bench();
}

async function bench() {
  const n = Number(process.argv[2] ?? 5000);
  const concurrency = Number(process.argv[3] ?? 100);
  const replyDelayMs = Number(process.argv[4] ?? 0);
  const child = fork(import.meta.filename, ['--serve', String(replyDelayMs)]);
  const ask = async (message: ToServer) => {
    child.send(message);
    const [reply] = (await once(child, 'message')) as [FromServer];
    return reply as { received: number; connections: number };
  };
  const [{ port }] = (await once(child, 'message')) as [{ port: number }];
  console.log(`${n} messages, ${concurrency} sends in flight, server reply delay ${replyDelayMs} ms`);

  for (const maxConnections of [1, 5]) {
    const transport = createSmtpTransport({
      host: '127.0.0.1',
      port,
      requireTLS: false,
      maxConnections,
      maxMessages: 1000,
    });
    await sendAll(transport, 200, concurrency, 'warm-up'); // connections opened, code warmed before timing
    const before = await ask('stats');
    const started = performance.now();
    const failures = await sendAll(transport, n, concurrency, `c${maxConnections}`);
    const seconds = (performance.now() - started) / 1000;
    await transport.close();
    const after = await ask('stats');
    console.log(
      `maxConnections ${maxConnections}: ${Math.round(n / seconds)} messages/s ` +
        `(${seconds.toFixed(2)} s, ${after.received - before.received} received, ${failures} failed, ` +
        `${after.connections - before.connections} new connections)`,
    );
  }
  child.send('close' satisfies ToServer);
  await once(child, 'exit');
}

/** Sends `count` messages keeping `concurrency` sends in flight, as a sending job would. */
async function sendAll(transport: SmtpTransport, count: number, concurrency: number, tag: string) {
  let next = 0;
  let failures = 0;
  const worker = async () => {
    while (next < count) {
      const i = next++;
      const outcome = await transport.send(invitation(`${tag}-${i}`));
      if (outcome.status !== 'sent') failures++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return failures;
}

function invitation(key: string) {
  const link = `https://rapport.example/s/${key}`;
  return {
    from: { name: 'Acme Customer Success', address: 'surveys@rapport.example' },
    replyTo: 'csm@acme.example',
    to: `contact-${key}@customer.example`,
    subject: 'Votre avis compte : comment évaluez-vous Acme ?',
    text: `Bonjour,\n\nSur une échelle de 0 à 10, recommanderiez-vous Acme ?\n${link}\n\n${'Merci. '.repeat(80)}`,
    html: `<p>Bonjour,</p><p>Sur une échelle de 0 à 10, recommanderiez-vous Acme ?</p><p><a href="${link}">Répondre</a></p><p>${'Merci. '.repeat(200)}</p>`,
    headers: {
      'List-Unsubscribe': `<https://rapport.example/u/${key}>`,
      'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
    },
    messageId: `<${key}@rapport.example>`,
  };
}
