// Reads a Prometheus text exposition on stdin and prints the metric families as JSON (one line),
// parsed by the npm package parse-prometheus-text-format: MetricsIT's independent parser.
import parse from 'parse-prometheus-text-format';

let text = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', chunk => { text += chunk; });
process.stdin.on('end', () => {
  try {
    process.stdout.write(JSON.stringify(parse(text)));
  } catch (e) {
    process.stderr.write('unparseable exposition: ' + e.message + '\n');
    process.exit(1);
  }
});
