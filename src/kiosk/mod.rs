//! The counter: a terminal kiosk that takes a clerk or a customer from weighing to printed,
//! verified indicia.
//!
//! [`state`] is plain data, [`flow`] the only place it changes, [`action`] the vocabulary
//! between them and the edge that runs effects.
pub mod action;
pub mod app;
pub mod edge;
pub mod flow;
pub mod input;
pub mod pin;
pub mod pin_gate;
pub mod preview;
pub mod state;
pub mod style;
pub mod view;
pub mod wording;
