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
//
// With --night it also models one nightly rescan of --night-samples (10M) on --night-workers (10, 50, 200) worker
// instances, full and incremental: the wall time of each phase, the limit that binds it (worker CPU, S3 GETs per
// prefix, DynamoDB table and partition throughput, the manager's serial listing and projection), the cost, and the
// number of workers past which adding more no longer shortens the night. Its per-sample costs are measured
// (bench/README.md, "scale-out.sh (issue 15)" says where each default comes from); its limits are AWS's published
// ones: S3 5,500 GET/s per prefix; DynamoDB on-demand 1,000 WCU/s and 3,000 RCU/s per partition, 40,000 WCU/s
// and RCU/s per table (the default, adjustable account quota); DynamoDB on-demand reads $0.125 per million read
// request units. A phase's time is its work divided by the tightest of its limits; phases run one after another.
// No dependencies: plain Node.js 18+.

const PRICES = {
  s3GetPer1000: 0.0004,
  s3ListPer1000: 0.005,
  kmsPer10000: 0.03,
  dynamoDbPerMillionWru: 0.625,
  sqsPerMillion: 0.40,
  dynamoDbPerMillionRru: 0.125,
  natPerGb: 0.045,
  natPerHour: 0.045,
  interfaceEndpointPerGb: 0.01,
  interfaceEndpointPerZoneHour: 0.01,
  auroraPerAcuHour: 0.12,
  albPerHour: 0.0225,
  managerPerHour: 0.0832,
};

const DEFAULT_INSTANCE_PRICE = 0.34;

// AWS's published limits (S3 performance guidelines; DynamoDB service quotas, on-demand)
const LIMITS = {
  s3GetPerPrefix: 5500,
  dynamoDbPartitionWcu: 1000,
  dynamoDbPartitionRcu: 3000,
};

// How Trawl spreads a job over DynamoDB partition keys (readmodel/DYNAMODB.md): events and job rows over 256 shards
// of the sha256, a job's manifest over 16; a rule's hits for a job under one key
const SHARDS = { events: 256, jobSamples: 256, manifests: 16 };

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
  'night-samples': { value: 10000000, help: '--night: samples in the nightly rescan' },
  'night-workers': { value: '10,50,200', help: '--night: worker counts, one row each', list: true },
  vcpus: { value: 8, help: '--night: vCPUs of a worker (c6i.2xlarge: 8), one partition thread each' },
  'busy-share': { value: 0.85, help: '--night: share of a worker\'s vCPUs kept busy analysing' },
  'cpu-s-per-gb': { value: 17.6, help: '--night: worker CPU s per GB analysed (measured, bench/README.md)' },
  'cpu-ms-per-sample': { value: 20, help: '--night: worker CPU ms per sample beyond its bytes, S3 and DynamoDB included (measured)' },
  'unchanged-cpu-ms': { value: 1.9, help: '--night: worker CPU ms per unchanged location of an incremental night (measured)' },
  'changed-share': { value: 0.02, help: '--night: share of samples new or changed on an incremental night', zero: true },
  'event-wcu': { value: 7.75, help: '--night: DynamoDB write units of a sample\'s events (measured, ProjectionGrowthBench)' },
  'projection-wcu': { value: 15.65, help: '--night: write units the projection spends per sample (measured, rule hits included)' },
  'projection-rcu': { value: 1.66, help: '--night: read units the projection spends per sample (measured, strongly consistent)' },
  's3-prefixes': { value: 1, help: '--night: S3 prefixes the samples are spread over (5,500 GET/s each)' },
  'table-wcu': { value: 40000, help: '--night: DynamoDB on-demand WCU/s per table (account quota, adjustable)' },
  'table-rcu': { value: 40000, help: '--night: DynamoDB on-demand RCU/s per table (account quota, adjustable)' },
  'dynamodb-ms': { value: 5, help: '--night: one DynamoDB request\'s round trip in ms (a 1 MB query page: 3 times it)' },
  'projection-cpu-ms': { value: 0.68, help: '--night: the manager\'s CPU ms per sample to project it, all threads together (measured, ProjectionGrowthBench)' },
  'diff-cpu-ms': { value: 0.28, help: '--night: the manager\'s CPU ms per sample for the summary\'s diff, after the projection, on as many slices (JobDiffBench)', zero: true },
  'projection-threads': { value: 8, help: '--night: slices of the job the manager projects at once (trawl.projection.threads; 8 on DynamoDB, 1 before session 11)' },
  'manager-vcpus': { value: 2, help: '--night: vCPUs of the manager (t3.large: 2), shared by the projection\'s threads' },
  'put-parallelism': { value: 8, help: '--night: conditional puts of newest results in flight at once, all slices together (the query tables\' pool)' },
  'list-ms': { value: 100, help: '--night: one S3 LIST page of 1,000 keys in ms (the manager lists the source alone)' },
  'boot-s': { value: 180, help: '--night: seconds from the first partition message to the workers analysing' },
  'scale-in-min': { value: 15, help: '--night: minutes a worker is billed after the queue empties (scale-in alarm)' },
  'partitions-per-slot': { value: 4, help: '--night: partitions per worker thread (TRAWL_GRID_SIZE / (workers x vCPUs))' },
};

function usage() {
  const lines = Object.entries(OPTIONS).map(([name, o]) => `  --${name.padEnd(22)} ${o.help} (default ${o.value})`);
  return `Usage: node bench/cost-model.mjs [--night] [options]\n${lines.join('\n')}\n`;
}

function fail(message) {
  process.stderr.write(`cost-model: ${message}\n\n${usage()}`);
  process.exit(2);
}

function parse(argv) {
  const settings = Object.fromEntries(Object.entries(OPTIONS).map(([name, o]) => [name, o.value]));
  let night = false;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--help' || argv[i] === '-h') {
      process.stdout.write(usage());
      process.exit(0);
    }
    if (argv[i] === '--night') {
      night = true;
      continue;
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
    if (parsed.some((n) => !Number.isFinite(n) || n < 0 || (n === 0 && name !== 'overhead' && !o.zero))) {
      fail(`--${name} needs ${o.list ? 'positive numbers separated by commas' : 'a positive number'}, got '${settings[name]}'.`);
    }
    numbers[name] = o.list ? parsed : parsed[0];
  }
  if (!['gateway', 'nat'].includes(settings['data-path'])) fail(`--data-path is gateway or nat, got '${settings['data-path']}'.`);
  if (numbers['changed-share'] > 1 || numbers['busy-share'] > 1) fail('--changed-share and --busy-share are shares from 0 to 1.');
  return { ...numbers, 'data-path': settings['data-path'], night };
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

/**
 * One nightly rescan of o['night-samples'] samples on `workers` instances; `incremental` analyses only the changed
 * share and leaves the rest unread. Phases, one after another: the manager lists the source (alone), the workers
 * start, the partitions are analysed (at the tightest of the workers' CPU, S3's GETs and DynamoDB's write limits),
 * the last partitions straggle, and the manager projects the job (one thread: its CPU, its DynamoDB round trips,
 * the query tables' write and read limits). Returns each phase's seconds, what binds analysis and projection, the
 * number of workers past which analysis goes no faster, and the cost.
 */
export function night(o, workers, incremental = false) {
  const samples = o['night-samples'];
  const changed = incremental ? o['changed-share'] : 1;
  const sampleGb = o['avg-size-mb'] / 1000;
  // worker CPU seconds per sample, averaged over changed and unchanged samples
  const cpuPerSample = changed * (o['cpu-s-per-gb'] * sampleGb + o['cpu-ms-per-sample'] / 1000)
    + (1 - changed) * (o['unchanged-cpu-ms'] / 1000);
  const perWorker = (o.vcpus * o['busy-share']) / cpuPerSample;
  // every location gets its events and a manifest entry, a reused result too: an incremental night writes as much
  const eventWcu = o['event-wcu']; // ANALYSED (the document) and SOURCE
  const tableWcu = (shards) => Math.min(o['table-wcu'], shards * LIMITS.dynamoDbPartitionWcu);
  const analysisLimits = {
    's3 GET/s per prefix': (o['s3-prefixes'] * LIMITS.s3GetPerPrefix) / changed,
    'DynamoDB events table WCU': tableWcu(SHARDS.events) / eventWcu,
    'DynamoDB manifest partitions WCU': tableWcu(SHARDS.manifests) / 1,
  };
  const [limitName, limitRate] = Object.entries(analysisLimits).sort((a, b) => a[1] - b[1])[0];
  const analysisRate = Math.min(workers * perWorker, limitRate);
  const analysisBound = workers * perWorker <= limitRate ? 'worker CPU' : limitName;
  const usefulWorkers = Math.ceil(limitRate / perWorker);
  const analyse = samples / analysisRate;
  // partitions are pulled from the queue, so the night ends at most one partition after the rest: half, on average
  const straggle = analyse / (2 * o['partitions-per-slot']);
  const list = (samples / 1000) * (o['list-ms'] / 1000);
  // projection on the manager, K slices at once (ResultProjection, session 11), then the summary's diff on K ranges of
  // the sample keys at once (JobDiff, session 12): its CPU on min(K, vCPUs) cores.
  // Per batch of 200 samples a slice sends 8 BatchWriteItem of 25 job rows in series, and 200 conditional puts of
  // the newest result go through the query tables' one pool of --put-parallelism; each slice reads its shards'
  // events in 1 MB query pages (a read unit is 4 KB), one page at a time. The job rows and the newest results take
  // half the write units each. A job row's partition key is its shard (job#00..job#ff) and a slice writes one shard
  // after another, so K slices write to K partition keys at a time, each at most 1,000 WCU/s.
  const threads = o['projection-threads'];
  const rowWcu = o['projection-wcu'] / 2;
  const pagesPerSample = (o['projection-rcu'] * 4) / 1024;
  const sliceTripsPerSample = 8 / 200 + 3 * pagesPerSample;
  const projectionLimits = {
    'manager CPU': (Math.min(threads, o['manager-vcpus']) * 1000) / o['projection-cpu-ms'],
    'DynamoDB round trips': Math.min(
      (threads * 1000) / (sliceTripsPerSample * o['dynamodb-ms']),
      (o['put-parallelism'] * 1000) / o['dynamodb-ms'],
    ),
    'DynamoDB job rows partition keys WCU': (Math.min(threads, SHARDS.jobSamples) * LIMITS.dynamoDbPartitionWcu) / rowWcu,
    'DynamoDB job rows table WCU': tableWcu(SHARDS.jobSamples) / rowWcu,
    'DynamoDB samples table WCU': o['table-wcu'] / rowWcu,
    'DynamoDB events table RCU': Math.min(o['table-rcu'], SHARDS.events * LIMITS.dynamoDbPartitionRcu) / o['projection-rcu'],
  };
  const [projectionBound, projectionRate] = Object.entries(projectionLimits).sort((a, b) => a[1] - b[1])[0];
  const diff = (samples * (o['diff-cpu-ms'] / 1000)) / Math.min(threads, o['manager-vcpus']);
  const project = samples / projectionRate + diff;
  const phases = { list, boot: o['boot-s'], analyse, straggle, project };
  const wall = Object.values(phases).reduce((a, b) => a + b, 0);
  const [longest] = Object.entries(phases).sort((a, b) => b[1] - a[1])[0];

  const workerHours = workers * (o['boot-s'] + analyse + straggle + o['scale-in-min'] * 60) / 3600;
  const writeUnits = samples * (eventWcu + 1 + o['projection-wcu']);
  const readUnits = samples * o['projection-rcu'];
  const partitions = o['partitions-per-slot'] * workers * o.vcpus;
  const sqsRequests = partitions * 4 + workerHours * (3600 / 20);
  const cost = {
    ec2: workerHours * o['instance-price'],
    dynamoDb: (writeUnits / 1e6) * PRICES.dynamoDbPerMillionWru + (readUnits / 1e6) * PRICES.dynamoDbPerMillionRru,
    s3: ((samples * changed) / 1000) * PRICES.s3GetPer1000 + (Math.ceil(samples / 1000) * o['list-passes'] / 1000) * PRICES.s3ListPer1000,
    sqs: (sqsRequests / 1e6) * PRICES.sqsPerMillion,
  };
  const total = Object.values(cost).reduce((a, b) => a + b, 0);
  return { workers, incremental, perWorker, cpuPerSample, analysisRate, analysisBound, limitName, limitRate,
    usefulWorkers, projectionBound, projectionRate, projectionLimits, diff, phases, wall, longest, workerHours,
    writeUnits, cost, total };
}

/**
 * The fewest projection threads past which the projection goes no faster, and what then binds it: the limits that
 * grow with threads (CPU up to the manager's vCPUs, round trips, hot partition keys) against those that do not.
 */
export function usefulThreads(o) {
  const at = (threads) => night({ ...o, 'projection-threads': threads }, 1, false);
  const best = at(SHARDS.jobSamples);
  let threads = 1;
  while (threads < SHARDS.jobSamples && at(threads).projectionRate < best.projectionRate * 0.999) threads++;
  return `${threads} (then ${Math.round(best.projectionRate).toLocaleString('en-US')} samples/s, bound by ${best.projectionBound})`;
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

if (o.night) process.stdout.write(nightReport(o));

function nightReport(o) {
  const duration = (s) => (s >= 3600 ? `${(s / 3600).toFixed(2)} h` : `${(s / 60).toFixed(1)} min`);
  const rate = (r) => Math.round(r).toLocaleString('en-US');
  const runs = [false, true].flatMap((incremental) => o['night-workers'].map((n) => night(o, n, incremental)));
  const columns = [
    ['Night', (r) => (r.incremental ? `incremental ${+(o['changed-share'] * 100).toFixed(1)}%` : 'full')],
    ['Workers', (r) => String(r.workers)],
    ['Wall', (r) => duration(r.wall)],
    ['List', (r) => duration(r.phases.list)],
    ['Boot', (r) => duration(r.phases.boot)],
    ['Analyse', (r) => duration(r.phases.analyse)],
    ['Straggle', (r) => duration(r.phases.straggle)],
    ['Project', (r) => duration(r.phases.project)],
    ['Samples/s', (r) => rate(r.analysisRate)],
    ['Analysis bound by', (r) => r.analysisBound],
    ['Longest phase', (r) => r.longest],
    ['Projection bound by', (r) => r.projectionBound],
    ['Worker h', (r) => r.workerHours.toFixed(1)],
    ['EC2', (r) => usd(r.cost.ec2)],
    ['DynamoDB', (r) => usd(r.cost.dynamoDb)],
    ['S3', (r) => usd(r.cost.s3)],
    ['SQS', (r) => usd(r.cost.sqs)],
    ['Total', (r) => usd(r.total)],
  ];
  const cells = runs.map((r) => columns.map(([, f]) => f(r)));
  const widths = columns.map(([h], i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const line = (values) => values.map((v, i) => (i < 2 ? v.padEnd(widths[i]) : v.padStart(widths[i]))).join(' | ');
  const full = night(o, 1, false);
  const incremental = night(o, 1, true);
  const limits = (r) => `${rate(r.limitRate)} samples/s (${r.limitName})`;
  const best = (r) => night(o, r.usefulWorkers, r.incremental);
  const tb = (o['night-samples'] * o['avg-size-mb']) / 1e6;
  const explain = (r) => {
    const b = best(r);
    return `${r.incremental ? 'An incremental' : 'A full'} night: adding workers helps up to ${b.usefulWorkers}; `
      + `past that, analysis runs at ${limits(b)} whatever the fleet, and the night takes ${duration(b.wall)}, of which `
      + `the manager's listing and projection, which no worker shortens, ${duration(b.phases.list + b.phases.project)} `
      + `(projection bound by ${b.projectionBound}, ${rate(b.projectionRate)} samples/s on ${o['projection-threads']} thread(s)).`;
  };
  return `
The ${count(o['night-samples'])}-sample night (--night): ${count(o['night-samples'])} samples of ${o['avg-size-mb']} MB (${tb.toFixed(1)} TB), workers with ${o.vcpus} vCPUs at $${o['instance-price']} an hour
Worker: ${(full.cpuPerSample * 1000).toFixed(1)} CPU ms a sample (${o['cpu-s-per-gb']} s per GB + ${o['cpu-ms-per-sample']} ms), ${rate(full.perWorker)} samples/s at ${Math.round(o['busy-share'] * 100)}% busy; incremental: ${(incremental.cpuPerSample * 1000).toFixed(2)} ms a location (${o['unchanged-cpu-ms']} ms per unchanged one), ${rate(incremental.perWorker)} locations/s
Analysis limits (full): S3 ${rate(LIMITS.s3GetPerPrefix)} GET/s x ${o['s3-prefixes']} prefix(es); DynamoDB events ${rate(Math.min(o['table-wcu'], SHARDS.events * LIMITS.dynamoDbPartitionWcu))} WCU/s at ${o['event-wcu']} WCU a sample; manifest ${SHARDS.manifests} partitions x ${rate(LIMITS.dynamoDbPartitionWcu)} WCU/s
Projection (the manager, ${o['projection-threads']} slice(s) at once on ${o['manager-vcpus']} vCPUs): ${rate(full.projectionRate)} samples/s, bound by ${full.projectionBound} (${o['projection-cpu-ms']} CPU ms a sample, ${o['dynamodb-ms']} ms a DynamoDB round trip), then the summary's diff on ${Math.min(o['projection-threads'], o['manager-vcpus'])} core(s), ${duration(full.diff)} (${o['diff-cpu-ms']} CPU ms a sample)
Projection limits, samples/s: ${Object.entries(full.projectionLimits).sort((a, b) => a[1] - b[1]).map(([name, r]) => `${name} ${rate(r)}`).join('; ')}
Most useful projection threads: ${usefulThreads(o)}

${[line(columns.map(([h]) => h)), widths.map((w) => '-'.repeat(w)).join('-|-'), ...cells.map(line)].join('\n')}

${explain(full)}
${explain(incremental)}
Both write the same DynamoDB items (${rate(full.writeUnits / o['night-samples'])} WCU a sample): an incremental night reads ${Math.round(o['changed-share'] * 100)}% of the bytes but records every location's events and manifest entry again.
The manager (t3.large) and Aurora are always on and not counted here; see the daily figure above.
`;
}
