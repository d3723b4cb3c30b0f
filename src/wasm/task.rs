//! Running async work (REST calls, token fetches) as a JS Promise, on an executor of its
//! own: a task is polled from a microtask, first just after `promise` returns (its caller
//! may be holding the core) and again each time it is woken (a `JsFuture` wakes it from
//! its promise's callback), and settles the Promise with its outcome. Every future goes
//! through one boxed type, so this is compiled into the wasm once. (wasm-bindgen-futures'
//! executor, with its shared queue, cost more wasm than the few tasks here need.)

use alloc::boxed::Box;
use alloc::rc::Rc;
use core::cell::RefCell;
use core::future::Future;
use core::pin::Pin;
use core::task::{Context, RawWaker, RawWakerVTable, Waker};
use js_sys::{Array, Function, Promise};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::{JsCast, JsError, JsValue};

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_name = queueMicrotask)]
    fn queue_microtask(callback: &JsValue);
}

// Written in JS: helpers.js says why.
#[wasm_bindgen(module = "/src/wasm/helpers.js")]
extern "C" {
    /// `[promise, resolve, reject]`.
    fn deferred() -> Array;
}

type Work = Pin<Box<dyn Future<Output = Result<JsValue, JsValue>>>>;

/// A future and the functions that settle its Promise.
struct Task {
    /// None once the future has completed (a late wake-up then does nothing).
    work: RefCell<Option<Work>>,
    resolve: Function,
    reject: Function,
}

/// A Promise settled with the outcome of `work`.
pub fn promise(work: impl Future<Output = Result<JsValue, JsValue>> + 'static) -> Promise {
    start(Box::pin(work))
}

/// A new Promise and the `resolve` and `reject` functions that settle it.
pub fn settled_by() -> (Promise, Function, Function) {
    let parts = deferred();
    let part = |index| parts.get(index);
    (
        part(0).unchecked_into(),
        part(1).unchecked_into(),
        part(2).unchecked_into(),
    )
}

fn start(work: Work) -> Promise {
    let (promise, resolve, reject) = settled_by();
    let task = Task {
        work: RefCell::new(Some(work)),
        resolve,
        reject,
    };
    schedule(Rc::new(task));
    promise
}

/// Polls `task` from a fresh microtask.
fn schedule(task: Rc<Task>) {
    // The shared callback type (see `Callback`), though no argument comes.
    let run = move |_: JsValue| -> Result<(), JsError> {
        task.run();
        Ok(())
    };
    queue_microtask(&Closure::once_into_js(run));
}

impl Task {
    fn run(self: Rc<Task>) {
        let mut slot = self.work.borrow_mut();
        let Some(work) = slot.as_mut() else {
            return;
        };
        let waker = waker(&self);
        let core::task::Poll::Ready(outcome) = work.as_mut().poll(&mut Context::from_waker(&waker))
        else {
            return;
        };
        *slot = None;
        drop(slot);
        let (settle, value) = match outcome {
            Ok(value) => (&self.resolve, value),
            Err(error) => (&self.reject, error),
        };
        let _ = settle.call1(&JsValue::UNDEFINED, &value);
    }
}

// The waker is an `Rc<Task>` behind a raw pointer: wasm has one thread, so the `Send` and
// `Sync` a Waker promises are never put to the test (as in wasm-bindgen-futures).
static VTABLE: RawWakerVTable = RawWakerVTable::new(clone, wake, wake_by_ref, drop_waker);

fn waker(task: &Rc<Task>) -> Waker {
    let raw = RawWaker::new(Rc::into_raw(task.clone()).cast(), &VTABLE);
    // SAFETY: the vtable's functions treat the pointer as the Rc<Task> made just above.
    unsafe { Waker::from_raw(raw) }
}

unsafe fn clone(task: *const ()) -> RawWaker {
    // SAFETY: `task` came from Rc::into_raw (waker), and this waker holds its count.
    unsafe { Rc::increment_strong_count(task.cast::<Task>()) };
    RawWaker::new(task, &VTABLE)
}

unsafe fn wake(task: *const ()) {
    // SAFETY: as in `clone`; waking by value gives this waker's count to the schedule.
    schedule(unsafe { Rc::from_raw(task.cast::<Task>()) });
}

unsafe fn wake_by_ref(task: *const ()) {
    // SAFETY: as in `clone`: a count of its own for the schedule.
    unsafe {
        Rc::increment_strong_count(task.cast::<Task>());
        wake(task);
    }
}

unsafe fn drop_waker(task: *const ()) {
    // SAFETY: as in `clone`; this waker's count goes.
    drop(unsafe { Rc::from_raw(task.cast::<Task>()) });
}
