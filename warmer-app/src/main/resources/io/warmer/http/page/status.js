// Refreshes the table from /api/status every two seconds.
async function refresh() {
  const status = await (await fetch('api/status', {cache: 'no-store'})).json();
  document.getElementById('ready').textContent = status.ready ? 'ready' : 'not ready';
  const rows = status.families.map(f => `<tr data-family="${f.name}"><td>${f.name}</td><td>${f.stage}</td>`
      + `<td>${f.coverage == null ? '–' : (100 * f.coverage).toFixed(2) + '%'}</td><td>${f.lag ?? '–'}</td>`
      + `<td>${f.writesPerSecond.toFixed(0)}</td><td>${f.written}</td><td>${f.fenced}</td><td>${f.deadLettered}</td></tr>`);
  document.querySelector('#families tbody').innerHTML = rows.join('');
}
refresh();
setInterval(refresh, 2000);
