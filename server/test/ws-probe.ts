// A WS-Discovery client, as Windows' Network view does it: a multicast Probe for devices from the given local
// address, then a metadata Get to the first device that answers. Prints what it found as JSON ({} when nothing
// answered). The wsdd test runs it in a network namespace of its own, linked to the server's.
import dgram from 'node:dgram';
import http from 'node:http';
import { randomUUID } from 'node:crypto';

const local = process.argv[2] ?? '0.0.0.0';
const GROUP = '239.255.255.250';
const PORT = 3702;

const envelope = (header: string, body: string) =>
  '<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://www.w3.org/2003/05/soap-envelope" ' +
  'xmlns:wsa="http://schemas.xmlsoap.org/ws/2004/08/addressing" ' +
  'xmlns:wsd="http://schemas.xmlsoap.org/ws/2005/04/discovery" ' +
  `xmlns:wsdp="http://schemas.xmlsoap.org/ws/2006/02/devprof"><soap:Header>${header}</soap:Header>` +
  `<soap:Body>${body}</soap:Body></soap:Envelope>`;

const probe = envelope(
  '<wsa:To>urn:schemas-xmlsoap-org:ws:2005:04:discovery</wsa:To>' +
    '<wsa:Action>http://schemas.xmlsoap.org/ws/2005/04/discovery/Probe</wsa:Action>' +
    `<wsa:MessageID>urn:uuid:${randomUUID()}</wsa:MessageID>`,
  '<wsd:Probe><wsd:Types>wsdp:Device</wsd:Types></wsd:Probe>',
);

function get(address: string, endpoint: string): Promise<string> {
  const body = envelope(
    `<wsa:To>${endpoint}</wsa:To><wsa:Action>http://schemas.xmlsoap.org/ws/2004/09/transfer/Get</wsa:Action>` +
      `<wsa:MessageID>urn:uuid:${randomUUID()}</wsa:MessageID><wsa:ReplyTo><wsa:Address>` +
      'http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous</wsa:Address></wsa:ReplyTo>',
    '',
  );
  return new Promise((resolve, reject) => {
    const req = http.request(
      `http://${address}:5357/${endpoint.replace(/^urn:uuid:/, '')}`,
      { method: 'POST', headers: { 'Content-Type': 'application/soap+xml' }, timeout: 3_000 },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.once('end', () => {
          resolve(text);
        });
      },
    );
    req.once('error', reject);
    req.end(body);
  });
}

const socket = dgram.createSocket('udp4');
socket.bind(0, local, () => {
  socket.setMulticastInterface(local);
  const send = () => {
    socket.send(probe, PORT, GROUP);
  };
  send();
  const again = setInterval(send, 700);
  const timeout = setTimeout(() => {
    clearInterval(again);
    socket.close();
    process.stdout.write('{}');
  }, 5_000);
  socket.once('message', (message, from) => {
    clearInterval(again);
    clearTimeout(timeout);
    socket.close();
    const text = message.toString('utf8');
    const endpoint = /<wsa:Address>(urn:uuid:[^<]+)<\/wsa:Address>/.exec(text)?.[1] ?? '';
    const types = /<wsd:Types>([^<]*)<\/wsd:Types>/.exec(text)?.[1] ?? '';
    get(from.address, endpoint).then(
      (metadata) => {
        const computer = /<pub:Computer>([^<]*)<\/pub:Computer>/.exec(metadata)?.[1] ?? null;
        process.stdout.write(JSON.stringify({ from: from.address, types, computer }));
      },
      (err: unknown) => {
        process.stdout.write(JSON.stringify({ from: from.address, types, error: String(err) }));
      },
    );
  });
});
