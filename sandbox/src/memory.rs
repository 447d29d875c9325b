//! The sandbox object's state in memory, written to storage behind the requests.
//!
//! Each simulator is one value (its whole history). Reading it from storage and writing it
//! back on every request made each request cost as much as everything the sandbox had ever
//! seen, so a long load run measured the sandbox instead of Lipa. Now a value is read from
//! storage once per object lifetime, changed in place, and written back by [`Slot::flush`]
//! at most once per [`FLUSH_MS`] (the object's alarm), or at the end of an alarm that changed
//! it. A sandbox stopped within that second forgets that second: acceptable for a test
//! double, never for Lipa's own state.
//!
//! A slot holding a simulator is also a [`SimSlot`]: the object reaches every simulator the
//! same way, whatever its type.

use std::cell::{Cell, RefCell};
use std::future::Future;
use std::pin::Pin;

use serde::de::DeserializeOwned;
use serde::Serialize;
use worker::Storage;

use crate::sim::Simulator;

/// How long a change may stay in memory only.
pub const FLUSH_MS: i64 = 1_000;

/// One stored value, kept in memory.
pub struct Slot<T> {
    key: &'static str,
    value: RefCell<Option<T>>,
    dirty: Cell<bool>,
}

impl<T: Clone + Default + Serialize + DeserializeOwned> Slot<T> {
    /// A slot for the value stored under `key` (not read until first used).
    pub fn new(key: &'static str) -> Slot<T> {
        Slot {
            key,
            value: RefCell::new(None),
            dirty: Cell::new(false),
        }
    }

    async fn load(&self, storage: &Storage) -> worker::Result<()> {
        if self.value.borrow().is_none() {
            let stored = storage.get::<T>(self.key).await?.unwrap_or_default();
            // Another request may have loaded it during the await: the first load stays.
            self.value.borrow_mut().get_or_insert(stored);
        }
        Ok(())
    }

    /// Reads the value.
    pub async fn read<R>(&self, storage: &Storage, f: impl FnOnce(&T) -> R) -> worker::Result<R> {
        self.load(storage).await?;
        let value = self.value.borrow();
        match value.as_ref() {
            Some(v) => Ok(f(v)),
            None => Err(worker::Error::RustError(format!("{} not loaded", self.key))),
        }
    }

    /// Changes the value; it is written to storage by the next [`Slot::flush`].
    pub async fn update<R>(
        &self,
        storage: &Storage,
        f: impl FnOnce(&mut T) -> R,
    ) -> worker::Result<R> {
        self.load(storage).await?;
        let mut value = self.value.borrow_mut();
        match value.as_mut() {
            Some(v) => {
                self.dirty.set(true);
                Ok(f(v))
            }
            None => Err(worker::Error::RustError(format!("{} not loaded", self.key))),
        }
    }

    /// Whether a change waits to be written.
    pub fn is_dirty(&self) -> bool {
        self.dirty.get()
    }

    /// Writes the value if it changed since the last write.
    pub async fn flush(&self, storage: &Storage) -> worker::Result<()> {
        if !self.dirty.replace(false) {
            return Ok(());
        }
        // A copy, so no borrow is held across the await.
        let Some(value) = self.value.borrow().clone() else {
            return Ok(());
        };
        if let Err(e) = storage.put(self.key, value).await {
            self.dirty.set(true);
            return Err(e);
        }
        Ok(())
    }
}

/// Work a [`SimSlot`] returns (the Worker runs on one thread: no `Send`).
pub type Task<'a> = Pin<Box<dyn Future<Output = worker::Result<()>> + 'a>>;

/// Something done with a simulator while it is read.
pub type Reading<'a> = Box<dyn FnOnce(&dyn Simulator) + 'a>;

/// Something done to a simulator.
pub type Change<'a> = Box<dyn FnOnce(&mut dyn Simulator) + 'a>;

/// A simulator in its slot, whatever the simulator's type: what the object's one dispatch
/// loop reads, changes and writes.
pub trait SimSlot {
    /// Runs `f` on the simulator ([`Slot::read`]).
    fn read_sim<'a>(&'a self, storage: &'a Storage, f: Reading<'a>) -> Task<'a>;

    /// Runs `f` on the simulator, which the next flush writes ([`Slot::update`]).
    fn update_sim<'a>(&'a self, storage: &'a Storage, f: Change<'a>) -> Task<'a>;

    /// Writes the simulator if it changed ([`Slot::flush`]).
    fn flush_sim<'a>(&'a self, storage: &'a Storage) -> Task<'a>;
}

impl<T> SimSlot for Slot<T>
where
    T: Simulator + Clone + Default + Serialize + DeserializeOwned + 'static,
{
    fn read_sim<'a>(&'a self, storage: &'a Storage, f: Reading<'a>) -> Task<'a> {
        Box::pin(self.read(storage, |sim| f(sim)))
    }

    fn update_sim<'a>(&'a self, storage: &'a Storage, f: Change<'a>) -> Task<'a> {
        Box::pin(self.update(storage, |sim| f(sim)))
    }

    fn flush_sim<'a>(&'a self, storage: &'a Storage) -> Task<'a> {
        Box::pin(self.flush(storage))
    }
}
