#!/usr/bin/env node
// Estimated cost of one nightly rescan of Trawl on AWS (the stack in terraform/), for 1M and 10M samples.
//
//   node bench/cost-model.mjs --avg-size-mb 2 --throughput-mbps 150
//
// --throughput-mbps is what one worker instance analyses, in megabytes per second, as measured (the default
// worker is a c6i.2xlarge). Every price is a us-east-1 list price in USD, on-demand, without free tiers:
//   S3 Standard GET ............ $0.0004 per 1,000 requests
//   S3 Standard LIST ........... $0.005 per 1,000 requests
//   KMS requests ............... $0.03 per 10,000 requests
//   EC2 c6i.2xlarge (Linux) .... $0.34 per instance-hour (override with --instance-price)
//   DynamoDB on-demand writes .. $0.625 per million write request units
//   SQS standard ............... $0.40 per million requests (64 KB each)
//   NAT gateway ................ $0.045 per GB processed, $0.045 per hour
//   VPC gateway endpoints ...... free (S3 and DynamoDB)
//   VPC interface endpoint ..... $0.01 per GB processed, $0.01 per hour per zone (SQS)
//   Aurora Serverless v2 ....... $0.12 per ACU-hour;  ALB $0.0225 per hour;  EC2 t3.large $0.0832 per hour
// No dependencies: plain Node.js 18+.

const PRICES = {
  s3GetPer1000: 0.0004,
  s3ListPer1000: 0.005,
  kmsPer10000: 0.03,
  dynamoDbPerMillionWru: 0.625,
  sqsPerMillion: 0.40,
  natPerGb: 0.045,
  natPerHour: 0.045,
  interfaceEndpointPerGb: 0.01,
  interfaceEndpointPerZoneHour: 0.01,
  auroraPerAcuHour: 0.12,
  albPerHour: 0.0225,
  managerPerHour: 0.0832,
};

const DEFAULT_INSTANCE_PRICE = 0.34;

const OPTIONS = {
  'avg-size-mb': { value: 2, help: 'average sample size in MB' },
  'throughput-mbps': { value: 150, help: 'MB per second one worker instance analyses (measured)' },
  samples: { value: '1000000,10000000', help: 'comma-separated sample counts, one row each', list: true },
  workers: { value: 20, help: 'most workers running at once (worker_max_size), for the wall-clock time' },
  'instance-price': { value: DEFAULT_INSTANCE_PRICE, help: 'USD per worker instance-hour (c6i.2xlarge on-demand)' },
  overhead: { value: 0.15, help: 'extra instance time for boot, package install and the scale-in tail (fraction)' },
  'writes-per-sample': { value: 3, help: 'DynamoDB writes per sample: analysed event, source event, projection' },
  'item-kb': { value: 1, help: 'average DynamoDB item size in KB (one write unit per started KB)' },
  'samples-per-partition': { value: 1000, help: 'samples per partition request on the SQS queue' },
  'list-passes': { value: 2, help: 'times the keys are listed: the manager to split, each worker for its range' },
  'kms-per-1000-gets': { value: 1, help: 'KMS requests per 1,000 GETs; S3 Bucket Keys make it about one' },
  zones: { value: 2, help: 'availability zones (interface endpoint hours)' },
  'data-path': { value: 'gateway', help: 'gateway: S3 and DynamoDB through the free gateway endpoints; nat: through the NAT' },
};

function usage() {
  const lines = Object.entries(OPTIONS).map(([name, o]) => `  --${name.padEnd(22)} ${o.help} (default ${o.value})`);
  return `Usage: node bench/cost-model.mjs [options]\n${lines.join('\n')}\n`;
}

function fail(message) {
  process.stderr.write(`cost-model: ${message}\n\n${usage()}`);
  process.exit(2);
}

function parse(argv) {
  const settings = Object.fromEntries(Object.entries(OPTIONS).map(([name, o]) => [name, o.value]));
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--help' || argv[i] === '-h') {
      process.stdout.write(usage());
      process.exit(0);
    }
    const match = /^--([a-z0-9-]+)(?:=(.*))?$/.exec(argv[i]);
    if (!match || !(match[1] in OPTIONS)) fail(`unknown option '${argv[i]}'.`);
    const value = match[2] !== undefined ? match[2] : argv[++i];
    if (value === undefined) fail(`--${match[1]} needs a value.`);
    settings[match[1]] = value;
  }
  const numbers = {};
  for (const [name, o] of Object.entries(OPTIONS)) {
    if (name === 'data-path') continue;
    const parts = o.list ? String(settings[name]).split(',') : [String(settings[name])];
    const parsed = parts.map((p) => Number(p.trim()));
    if (parsed.some((n) => !Number.isFinite(n) || n < 0 || (n === 0 && name !== 'overhead'))) {
      fail(`--${name} needs ${o.list ? 'positive numbers separated by commas' : 'a positive number'}, got '${settings[name]}'.`);
    }
    numbers[name] = o.list ? parsed : parsed[0];
  }
  if (!['gateway', 'nat'].includes(settings['data-path'])) fail(`--data-path is gateway or nat, got '${settings['data-path']}'.`);
  return { ...numbers, 'data-path': settings['data-path'] };
}

function estimate(samples, o) {
  const dataMb = samples * o['avg-size-mb'];
  const dataGb = dataMb / 1024;
  const gets = samples;
  const lists = Math.ceil(samples / 1000) * o['list-passes'];
  const kms = (gets / 1000) * o['kms-per-1000-gets'];
  const instanceHours = (dataMb / o['throughput-mbps'] / 3600) * (1 + o.overhead);
  const writeUnits = samples * o['writes-per-sample'] * Math.ceil(o['item-kb']);
  const partitions = Math.ceil(samples / o['samples-per-partition']);
  // send, receive, delete and one visibility extension per partition, plus each worker's 20 s long polls
  const sqsRequests = partitions * 4 + instanceHours * (3600 / 20);
  const dynamoDbGb = (samples * o['writes-per-sample'] * o['item-kb']) / 1024 / 1024;
  const sqsGb = (sqsRequests * 2) / 1024 / 1024;
  const natGb = dataGb + dynamoDbGb + sqsGb;
  const network = o['data-path'] === 'nat' ? natGb * PRICES.natPerGb : sqsGb * PRICES.interfaceEndpointPerGb;
  const cost = {
    s3Get: (gets / 1000) * PRICES.s3GetPer1000,
    s3List: (lists / 1000) * PRICES.s3ListPer1000,
    kms: (kms / 10000) * PRICES.kmsPer10000,
    ec2: instanceHours * o['instance-price'],
    dynamoDb: (writeUnits / 1e6) * PRICES.dynamoDbPerMillionWru,
    sqs: (sqsRequests / 1e6) * PRICES.sqsPerMillion,
    network,
  };
  const total = Object.values(cost).reduce((a, b) => a + b, 0);
  return { samples, dataGb, instanceHours, wallHours: instanceHours / o.workers, natGb, cost, total };
}

function count(n) {
  if (n >= 1e6) return `${+(n / 1e6).toFixed(2)}M`;
  if (n >= 1e3) return `${+(n / 1e3).toFixed(2)}k`;
  return String(n);
}

const usd = (x) => `$${x < 100 ? x.toFixed(2) : x.toFixed(0)}`;

function priceLines(o) {
  const p = PRICES;
  const worker = o['instance-price'] === DEFAULT_INSTANCE_PRICE ? 'c6i.2xlarge Linux on-demand' : `given; c6i.2xlarge on-demand is $${DEFAULT_INSTANCE_PRICE}`;
  return [
    ['S3 Standard GET', `$${p.s3GetPer1000} per 1,000 requests`],
    ['S3 Standard LIST', `$${p.s3ListPer1000} per 1,000 requests (up to 1,000 keys each)`],
    ['KMS', `$${p.kmsPer10000} per 10,000 requests`],
    ['EC2 worker', `$${o['instance-price']} per instance-hour (${worker})`],
    ['DynamoDB on-demand', `$${p.dynamoDbPerMillionWru} per million write request units (1 unit per started KB)`],
    ['SQS standard', `$${p.sqsPerMillion.toFixed(2)} per million requests (64 KB each)`],
    ['NAT gateway', `$${p.natPerGb} per GB processed, $${p.natPerHour} per hour`],
    ['Gateway endpoints', 'free (S3, DynamoDB)'],
    ['Interface endpoint', `$${p.interfaceEndpointPerGb} per GB processed, $${p.interfaceEndpointPerZoneHour} per hour per zone (SQS)`],
    ['Always-on parts', `Aurora Serverless v2 $${p.auroraPerAcuHour} per ACU-hour, ALB $${p.albPerHour} per hour, manager t3.large $${p.managerPerHour} per hour`],
  ].map(([what, price]) => `  ${what.padEnd(20)} ${price}`).join('\n');
}

function table(rows) {
  const columns = [
    ['Samples', (r) => count(r.samples)],
    ['Data', (r) => `${r.dataGb >= 100 ? r.dataGb.toFixed(0) : r.dataGb.toFixed(1)} GB`],
    ['S3 GET', (r) => usd(r.cost.s3Get)],
    ['S3 LIST', (r) => usd(r.cost.s3List)],
    ['KMS', (r) => usd(r.cost.kms)],
    ['EC2 hours', (r) => r.instanceHours.toFixed(1)],
    ['EC2', (r) => usd(r.cost.ec2)],
    ['DynamoDB', (r) => usd(r.cost.dynamoDb)],
    ['SQS', (r) => usd(r.cost.sqs)],
    ['Endpoints/NAT', (r) => usd(r.cost.network)],
    ['Total', (r) => usd(r.total)],
  ];
  const cells = rows.map((r) => columns.map(([, f]) => f(r)));
  const widths = columns.map(([h], i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const line = (values) => values.map((v, i) => (i === 0 ? v.padEnd(widths[i]) : v.padStart(widths[i]))).join(' | ');
  return [line(columns.map(([h]) => h)), widths.map((w) => '-'.repeat(w)).join('-|-'), ...cells.map(line)].join('\n');
}

const o = parse(process.argv.slice(2));
const rows = o.samples.map((n) => estimate(n, o));
const natRows = rows.map((r) => `${count(r.samples)}: ${usd(r.natGb * PRICES.natPerGb)}`).join(', ');
const fixedPerDay =
  24 * (PRICES.managerPerHour + 0.5 * PRICES.auroraPerAcuHour + PRICES.albPerHour + PRICES.natPerHour +
    o.zones * PRICES.interfaceEndpointPerZoneHour);

process.stdout.write(`Trawl nightly rescan: estimated cost per run (USD, us-east-1)
Average sample ${o['avg-size-mb']} MB, ${o['throughput-mbps']} MB/s per worker, ${o.workers} workers at most, data path: ${o['data-path']}

${table(rows)}

Wall clock on ${o.workers} workers: ${rows.map((r) => `${count(r.samples)} ≈ ${r.wallHours.toFixed(1)} h`).join(', ')}.
${o['data-path'] === 'gateway' ? `Through the NAT gateway instead of the gateway endpoints, data processing alone would cost ${natRows}.` : 'The gateway endpoints (the default in terraform/) would make S3 and DynamoDB traffic free.'}

Price assumptions (us-east-1 list prices, on-demand, no free tier):
${priceLines(o)}
Model assumptions:
  one GET per sample; keys listed ${o['list-passes']} times; ${o['kms-per-1000-gets']} KMS request per 1,000 GETs (S3 Bucket Keys);
  ${o['writes-per-sample']} DynamoDB writes of ${o['item-kb']} KB per sample; ${o['samples-per-partition']} samples per partition request
  (send, receive, delete, one visibility extension) plus 20 s long polls per worker;
  worker time = data / throughput, plus ${Math.round(o.overhead * 100)}% for boot, install and the scale-in tail.
  S3 to EC2 transfer in one region is free. Storage, backups and logs are not per run and are left out.
Always on, not per run: about ${usd(fixedPerDay)} a day (manager, Aurora at 0.5 ACU, ALB hours, NAT hours, SQS endpoint in ${o.zones} zones).
`);
