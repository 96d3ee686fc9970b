//! A sale below the user interface: the label and receipt documents of issued pieces. The
//! non-interactive `postcounter sell` and the counter's flow share them; pricing is
//! `rates::pricing`.
pub mod documents;
pub mod events;
pub mod lottery;
pub mod ticket_receipt;
