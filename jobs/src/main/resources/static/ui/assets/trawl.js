// Trawl's dashboard: the verdict chart (Chart.js) and the copy buttons. Everything else is plain HTML and htmx.
(function () {
  const colours = { malicious: '#b3261e', suspicious: '#c98a00', clean: '#1b6e3a', error: '#6b4fa0' };

  function chart() {
    const canvas = document.getElementById('verdict-chart');
    if (!canvas || !window.Chart || !canvas.dataset.labels) {
      return;
    }
    const labels = canvas.dataset.labels.split(',');
    const counts = canvas.dataset.counts.split(',').map(Number);
    new window.Chart(canvas, {
      type: 'bar',
      data: { labels: labels, datasets: [{ label: 'Samples', data: counts,
        backgroundColor: labels.map(l => colours[l] || '#1f5fbf') }] },
      options: { animation: false, responsive: true, maintainAspectRatio: false,
        plugins: { legend: { display: false } }, scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } }
    });
  }

  document.addEventListener('click', event => {
    const button = event.target.closest('button.copy');
    if (!button) {
      return;
    }
    navigator.clipboard.writeText(button.dataset.copy).then(() => {
      button.textContent = 'Copied';
      setTimeout(() => { button.textContent = 'Copy'; }, 1500);
    });
  });
  document.addEventListener('DOMContentLoaded', chart);
})();
