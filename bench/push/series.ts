/**
 * node_exporter-like series for the push benchmark. Every host (instance="host-N:9100",
 * job="node") exposes the same ~330 series over ~110 metric names: per-CPU counters with a
 * `mode`, per-device network and disk counters, per-mount filesystem gauges and a long tail of
 * plain gauges. Series number i belongs to host floor(i / SERIES_PER_HOST). Labels are sorted
 * by name, as Prometheus sends them.
 */

import type { EncLabel } from '../../proto/write-encoder.js';

type Extra = readonly (readonly [string, string])[];

const CPUS = 8;
const MODES = ['idle', 'iowait', 'irq', 'nice', 'softirq', 'steal', 'system', 'user'];
const NET_DEVICES = ['eth0', 'eth1', 'lo', 'docker0'];
const DISK_DEVICES = ['sda', 'sdb', 'nvme0n1', 'dm-0'];
const MOUNTS: readonly (readonly [string, string, string])[] = [
  ['/dev/sda1', 'ext4', '/'],
  ['/dev/sdb1', 'xfs', '/data'],
  ['tmpfs', 'tmpfs', '/run'],
  ['/dev/nvme0n1p1', 'vfat', '/boot/efi'],
];
const NET = [
  'receive_bytes_total', 'receive_packets_total', 'receive_errs_total', 'receive_drop_total', 'receive_fifo_total',
  'receive_frame_total', 'receive_compressed_total', 'receive_multicast_total', 'transmit_bytes_total',
  'transmit_packets_total', 'transmit_errs_total', 'transmit_drop_total', 'transmit_fifo_total', 'transmit_colls_total',
  'transmit_carrier_total', 'transmit_compressed_total', 'up', 'mtu_bytes', 'speed_bytes', 'carrier',
];
const DISK = [
  'read_bytes_total', 'written_bytes_total', 'reads_completed_total', 'writes_completed_total', 'reads_merged_total',
  'writes_merged_total', 'read_time_seconds_total', 'write_time_seconds_total', 'io_time_seconds_total',
  'io_time_weighted_seconds_total', 'io_now', 'discards_completed_total', 'discards_merged_total',
  'discarded_sectors_total', 'flush_requests_total', 'flush_requests_time_seconds_total',
];
const FS = ['avail_bytes', 'size_bytes', 'free_bytes', 'files', 'files_free', 'readonly', 'device_error'];
const MEMORY = [
  'MemTotal', 'MemFree', 'MemAvailable', 'Buffers', 'Cached', 'SwapCached', 'Active', 'Inactive', 'Active_anon',
  'Inactive_anon', 'Active_file', 'Inactive_file', 'Unevictable', 'Mlocked', 'SwapTotal', 'SwapFree', 'Dirty',
  'Writeback', 'AnonPages', 'Mapped', 'Shmem', 'KReclaimable', 'Slab', 'SReclaimable', 'SUnreclaim', 'KernelStack',
  'PageTables', 'NFS_Unstable', 'Bounce', 'WritebackTmp', 'CommitLimit', 'Committed_AS', 'VmallocTotal', 'VmallocUsed',
  'VmallocChunk', 'Percpu', 'HardwareCorrupted', 'AnonHugePages', 'ShmemHugePages', 'HugePages_Total',
];
const PLAIN = [
  'node_load1', 'node_load5', 'node_load15', 'node_context_switches_total', 'node_intr_total', 'node_forks_total',
  'node_boot_time_seconds', 'node_time_seconds', 'node_procs_running', 'node_procs_blocked', 'node_entropy_available_bits',
  'node_filefd_allocated', 'node_filefd_maximum', 'node_netstat_Tcp_ActiveOpens', 'node_netstat_Tcp_PassiveOpens',
  'node_netstat_Tcp_CurrEstab', 'node_netstat_Tcp_RetransSegs', 'node_netstat_Udp_InDatagrams',
  'node_netstat_Udp_OutDatagrams', 'node_sockstat_TCP_inuse', 'node_sockstat_TCP_tw', 'node_sockstat_sockets_used',
  'node_vmstat_pgfault', 'node_vmstat_pgmajfault', 'node_vmstat_pswpin', 'node_vmstat_pswpout',
];

interface Template {
  readonly name: string;
  readonly extra: Extra;
  /** Counters only go up; gauges random-walk both ways. */
  readonly counter: boolean;
}

function buildHost(): Template[] {
  const t: Template[] = [];
  for (let c = 0; c < CPUS; c++) {
    for (const m of MODES) t.push({ name: 'node_cpu_seconds_total', extra: [['cpu', String(c)], ['mode', m]], counter: true });
    for (const m of ['nice', 'user']) t.push({ name: 'node_cpu_guest_seconds_total', extra: [['cpu', String(c)], ['mode', m]], counter: true });
    t.push({ name: 'node_cpu_scaling_frequency_hertz', extra: [['cpu', String(c)]], counter: false });
  }
  for (const d of NET_DEVICES) for (const n of NET) t.push({ name: `node_network_${n}`, extra: [['device', d]], counter: n.endsWith('_total') });
  for (const d of DISK_DEVICES) for (const n of DISK) t.push({ name: `node_disk_${n}`, extra: [['device', d]], counter: n.endsWith('_total') });
  for (const [device, fstype, mountpoint] of MOUNTS) {
    for (const n of FS) t.push({ name: `node_filesystem_${n}`, extra: [['device', device], ['fstype', fstype], ['mountpoint', mountpoint]], counter: false });
  }
  for (const m of MEMORY) t.push({ name: `node_memory_${m}_bytes`, extra: [], counter: false });
  for (const n of PLAIN) t.push({ name: n, extra: [], counter: n.endsWith('_total') });
  return t;
}

const HOST = buildHost();

/** Series each host exposes. */
export const SERIES_PER_HOST = HOST.length;

/** Distinct metric names over a host. */
export const METRIC_NAMES = new Set(HOST.map((t) => t.name)).size;

/** Whether series i is a counter (its value never decreases). */
export function seriesIsCounter(i: number): boolean {
  return HOST[i % HOST.length]!.counter;
}

/** The labels of series number i, sorted by name. Deterministic. */
export function seriesLabels(i: number): EncLabel[] {
  const t = HOST[i % HOST.length]!;
  const host = Math.floor(i / HOST.length);
  const labels: EncLabel[] = [
    { name: '__name__', value: t.name },
    { name: 'instance', value: `host-${host}:9100` },
    { name: 'job', value: 'node' },
  ];
  for (const [name, value] of t.extra) labels.push({ name, value });
  labels.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return labels;
}
