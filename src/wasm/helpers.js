// The JS the wasm imports besides web APIs: one module, so the browser tests' page loads
// one file for them (wasm-bindgen writes each `inline_js` block to a module of its own,
// and the test runner's server could leave one of many parallel requests unanswered).
// The package build puts these functions into the glue (js/loader.mjs).

// data.rs: what app data is, in one import (asking `instanceof ArrayBuffer`,
// `ArrayBuffer.isView` and a view's three fields took an import, and its glue, each):
// binary as a Uint8Array over its bytes; else whether it goes as JSON, as ably-js takes
// it: an array or an object whose tag is Object (a class instance included), not a
// Date, Map, Set, Error or boxed string.
export function dataKind(value) {
    if (value instanceof ArrayBuffer) return new Uint8Array(value);
    if (ArrayBuffer.isView(value)) {
        return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
    }
    return Array.isArray(value) || Object.prototype.toString.call(value) == '[object Object]';
}

// timer.rs: one import for both kinds, returning the function that cancels either. The
// port is closed once its message is in: an open port with a handler stays alive (in
// Node it keeps the process running).
export function later(f, ms) {
    if (ms) {
        const id = setTimeout(f, ms);
        return () => clearTimeout(id);
    }
    const { port1, port2 } = new MessageChannel();
    port1.onmessage = () => { port1.close(); f(); };
    port2.postMessage(0);
    return () => port1.close();
}

// socket.rs: the socket's events as one handler's argument (one closure type: each
// distinct one brings its own shims into the wasm and a wrapper into the JS glue): a
// message's text, or its bytes as a Uint8Array; `true` once open; `false` once closed.
// Set here rather than through Reflect from the wasm: one import for the handlers and
// what they read. `error` is always followed by `close`; listening to both would report
// twice.
export function listen(ws, on) {
    ws.binaryType = 'arraybuffer';
    ws.onopen = on && (() => on(true));
    ws.onmessage = on && ((e) => on(typeof e.data == 'string' ? e.data : new Uint8Array(e.data)));
    ws.onclose = on && (() => on(false));
}

// fetch.rs: the whole exchange in one promise, so a request is one wait: no second
// step for the body, and no Response or Headers imports (each one glue in the JS and a
// shim in the wasm). A failure anywhere (network, a bad URL or header, the body) rejects
// it, and so does a response that has not begun in 10 s (else it never settled): as
// ably-js with its default httpRequestTimeout, whose timer also stops at the response,
// not its body (and at a failure: a pending timer would keep a Node process alive). An
// authUrl's request says its own wait, `init.timeout` (realtimeRequestTimeout, as ably-js).
export function http(url, init) {
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(Error('no response in time')), init.timeout ?? 1e4);
    init.signal = abort.signal;
    return fetch(url, init).finally(() => clearTimeout(timer)).then(async (r) => {
        const header = (name) => r.headers.get(name);
        return [r.status, header('link'), header('x-ably-errorcode'), header('content-type'),
            new Uint8Array(await r.arrayBuffer())];
    });
}

// task.rs: the wasm's next step once `promise` settles (or, for a value that is none, in a
// microtask), given `[true, value]` or `[false, error]`: one callback type for both.
export function after(promise, next) {
    Promise.resolve(promise).then((value) => next([true, value]), (error) => next([false, error]));
}

// task.rs: a Promise and its settling functions made in JS: `Promise::new` with a Rust
// executor closure brought a closure type of its own (a wasm shim, an export and a JS
// wrapper).
export function deferred() {
    let settle;
    const promise = new Promise((...functions) => (settle = functions));
    return [promise, ...settle];
}

// error.rs: the wasm's errors, Errors named ErrorInfo printing as ably-js's do (the
// package's ErrorInfo, js/realtime-api.js, prints the same and counts these as its own).
class ErrorInfo extends Error {
    name = 'ErrorInfo';
    toString() {
        const { message, statusCode, code, cause, href } = this;
        return `[ErrorInfo${message ? `: ${message}` : ''}${statusCode ? `; statusCode=${statusCode}` : ''}${code ? `; code=${code}` : ''}${cause ? `; cause=${cause}` : ''}${href ? `; see ${href} ` : ''}]`;
    }
}

export function errorInfo(message) {
    return new ErrorInfo(message);
}
