// What every server reports about its own process: CPU, memory, event-loop delay.
import t from 'tap';
import { registerProcessStats } from '../../runtime/process-stats.js';
import { StatsRegistry } from '../../runtime/stats.js';

t.test('CPU time as a change, memory as numbers, event-loop delay per sample period', async (t) => {
  const reg = new StatsRegistry('roomserver', 'first');
  const p = registerProcessStats(reg);
  t.teardown(() => p.stop());
  reg.sample();
  // Keep the loop busy right after a sample: the CPU rate and the loop delay must show it (Node's
  // own monitor would miss a stall that starts as its histogram is reset).
  const until = Date.now() + 120;
  while (Date.now() < until);
  await new Promise((r) => setTimeout(r, 30));
  reg.sample();
  const cpu = reg.read('cpu_seconds');
  t.equal(cpu?.kind, 'change');
  t.ok(
    (cpu?.rate ?? 0) > 0,
    `the busy loop shows as CPU (${cpu?.rate}/s; the share depends on the machine's other load)`,
  );
  t.ok((reg.read('rss_bytes')?.value ?? 0) > 10e6, 'resident memory');
  t.ok((reg.read('heap_used_bytes')?.value ?? 0) > 1e6, 'heap');
  t.ok(
    (reg.read('event_loop_delay_max_ms')?.value ?? 0) >= 60,
    `a 120 ms stall makes the 50 ms timer at least 70 ms late (${reg.read('event_loop_delay_max_ms')?.value} ms)`,
  );
  t.ok((reg.read('uptime_seconds')?.value ?? -1) >= 0);
});
