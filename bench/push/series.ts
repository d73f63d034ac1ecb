/** node_exporter-like series for the push benchmark: ~100 metric names, realistic label sets. */

import type { EncLabel } from '../../proto/write-encoder.js';

const METRICS = [
  'node_cpu_seconds_total', 'node_memory_MemFree_bytes', 'node_memory_Cached_bytes', 'node_memory_Buffers_bytes',
  'node_network_receive_bytes_total', 'node_network_transmit_bytes_total', 'node_network_receive_packets_total',
  'node_network_transmit_packets_total', 'node_disk_read_bytes_total', 'node_disk_written_bytes_total',
  'node_disk_io_time_seconds_total', 'node_disk_reads_completed_total', 'node_disk_writes_completed_total',
  'node_filesystem_avail_bytes', 'node_filesystem_size_bytes', 'node_filesystem_files_free', 'node_load1', 'node_load5',
  'node_load15', 'node_context_switches_total', 'node_intr_total', 'node_forks_total', 'node_boot_time_seconds',
  'node_procs_running', 'node_procs_blocked', 'node_netstat_Tcp_ActiveOpens', 'node_netstat_Tcp_PassiveOpens',
  'node_sockstat_TCP_inuse', 'node_vmstat_pgfault', 'node_vmstat_pgmajfault',
];
const MODES = ['idle', 'user', 'system', 'iowait', 'irq', 'softirq', 'steal', 'nice'];
const DEVICES = ['eth0', 'eth1', 'lo', 'sda', 'sdb', 'nvme0n1', 'docker0', 'veth1'];

/** The labels of series number i (sorted by name). Deterministic. */
export function seriesLabels(i: number): EncLabel[] {
  const metric = METRICS[i % METRICS.length]!;
  const rest = Math.floor(i / METRICS.length);
  const host = Math.floor(rest / 64);
  const slot = rest % 64;
  const labels: EncLabel[] = [{ name: '__name__', value: metric }];
  if (metric === 'node_cpu_seconds_total') {
    labels.push({ name: 'cpu', value: String(slot >> 3) });
    labels.push({ name: 'instance', value: `host-${host}.example.org:9100` });
    labels.push({ name: 'job', value: 'node' });
    labels.push({ name: 'mode', value: MODES[slot & 7]! });
  } else {
    labels.push({ name: 'device', value: `${DEVICES[slot & 7]!}-${slot >> 3}` });
    labels.push({ name: 'instance', value: `host-${host}.example.org:9100` });
    labels.push({ name: 'job', value: 'node' });
  }
  return labels;
}
