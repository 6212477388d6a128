// The page's zstd encoder: the second WebAssembly module (zstd.wasm, crates/zstd-module),
// fetched in the background after the page has loaded and instantiated when a producer first
// compresses with zstd (crates/web/src/codec.rs registers zstd_compress with the core).
let bytes = null;
let fetching = null;
let instance = null;

function moduleUrl() {
  return new URL('zstd.wasm', document.baseURI).href;
}

export function zstd_prefetch() {
  if (fetching || instance) return;
  fetching = fetch(moduleUrl())
    .then((r) => {
      if (!r.ok) throw new Error(`zstd.wasm: HTTP ${r.status}`);
      return r.arrayBuffer();
    })
    .then((b) => { bytes = b; })
    .catch((e) => { fetching = null; console.error(`Streamscope could not fetch its zstd encoder: ${e}`); });
}

// Only when zstd is needed before the background fetch has finished (a link that opens with
// zstd): the bytes synchronously, since a producer's batch is compressed synchronously.
function fetchNow() {
  const x = new XMLHttpRequest();
  x.open('GET', moduleUrl(), false);
  x.overrideMimeType('text/plain; charset=x-user-defined');
  x.send();
  if (x.status !== 200) throw new Error(`zstd.wasm: HTTP ${x.status}`);
  const s = x.responseText;
  const b = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) b[i] = s.charCodeAt(i) & 0xff;
  return b.buffer;
}

export function zstd_loaded() {
  return instance !== null;
}

export function zstd_compress(data, level) {
  if (!instance) {
    if (!bytes) bytes = fetchNow();
    instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), {});
    bytes = null;
  }
  const e = instance.exports;
  const at = e.zstd_input(data.length);
  new Uint8Array(e.memory.buffer, at, data.length).set(data);
  const n = e.zstd_compress(level);
  return new Uint8Array(e.memory.buffer, e.zstd_output(), n).slice();
}
