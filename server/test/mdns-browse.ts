// A DNS-SD browse with a plain multicast-dns client: asks for each service type given on the command line,
// collects the PTR, SRV and TXT records heard for a few seconds, and prints them as JSON. The mDNS test runs it
// in the same network namespace as the server.
import makeMdns from 'multicast-dns';

interface Found {
  type: string;
  instance: string;
  port?: number;
  target?: string;
  txt: Record<string, string>;
}

const types = process.argv.slice(2);
const mdns = makeMdns();
const found = new Map<string, Found>();

mdns.on('response', (response) => {
  for (const record of [...response.answers, ...response.additionals]) {
    if (record.type === 'PTR' && types.some((t) => record.name === `${t}.local`)) {
      const instance = record.data;
      if (!found.has(instance))
        found.set(instance, { type: record.name.replace(/\.local$/, ''), instance, txt: {} });
    }
  }
  for (const record of [...response.answers, ...response.additionals]) {
    const entry = found.get(record.name);
    if (!entry) continue;
    if (record.type === 'SRV') {
      entry.port = record.data.port;
      entry.target = record.data.target;
    } else if (record.type === 'TXT') {
      const data = Array.isArray(record.data) ? record.data : [record.data];
      for (const item of data) {
        const text = Buffer.isBuffer(item) ? item.toString('utf8') : item;
        const eq = text.indexOf('=');
        if (eq > 0) entry.txt[text.slice(0, eq)] = text.slice(eq + 1);
      }
    }
  }
});

const ask = () => {
  mdns.query(types.map((t) => ({ name: `${t}.local`, type: 'PTR' as const })));
};
ask();
const again = setInterval(ask, 700);
setTimeout(() => {
  clearInterval(again);
  process.stdout.write(JSON.stringify([...found.values()]));
  mdns.destroy();
}, 3500);
