//! The PSD's registers and the only ways they may change.
//!
//! Pure and synchronous: the ledger reads the registers, asks this module for the next state,
//! and writes it back in the same transaction. Every transition checks the invariant
//! `ascending + descending = control total` before and after, and refuses rather than clamp:
//! a debit larger than the descending register is an error, never a negative register.

use serde::Serialize;

use crate::indicium::layout::REGISTER_MAX_MILLS;
use crate::money::Money;

/// The registers of one PSD.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Registers {
    /// Total postage ever printed. Never decreases.
    pub ascending: Money,
    /// Postage still available. Never negative.
    pub descending: Money,
    /// Sum of all credits (refills and refunds of voided indicia).
    pub control_total: Money,
    /// Indicia issued; the last piece serial.
    pub piece_count: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RegisterError {
    #[error("insufficient funds: {needed} needed, {available} available")]
    InsufficientFunds { needed: Money, available: Money },
    #[error("{0} is not a positive amount")]
    NotPositive(Money),
    #[error("the registers would overflow")]
    Overflow,
    #[error(
        "a credit of {amount} would take the descending register past {limit}, the most an indicium can carry"
    )]
    AboveLimit { amount: Money, limit: Money },
    #[error(
        "the ascending register is full ({limit}, the most an indicium can carry): the PSD must be replaced"
    )]
    AscendingFull { limit: Money },
    #[error(
        "register invariant broken: ascending {ascending} + descending {descending} != control total {control_total}"
    )]
    InvariantBroken {
        ascending: Money,
        descending: Money,
        control_total: Money,
    },
}

impl Registers {
    /// Checks the invariant and the signs of the registers.
    pub fn check(&self) -> Result<(), RegisterError> {
        let broken = || RegisterError::InvariantBroken {
            ascending: self.ascending,
            descending: self.descending,
            control_total: self.control_total,
        };
        if self.ascending.is_negative() || self.descending.is_negative() {
            return Err(broken());
        }
        match self.ascending.checked_add(self.descending) {
            Some(sum) if sum == self.control_total => Ok(()),
            _ => Err(broken()),
        }
    }

    /// Prints `postage`: moves it from the descending to the ascending register and counts
    /// one piece. The new piece serial is the new `piece_count`.
    pub fn debit(&self, postage: Money) -> Result<Registers, RegisterError> {
        self.check()?;
        if postage.mills() <= 0 {
            return Err(RegisterError::NotPositive(postage));
        }
        if postage > self.descending {
            return Err(RegisterError::InsufficientFunds {
                needed: postage,
                available: self.descending,
            });
        }
        let next = Registers {
            ascending: self
                .ascending
                .checked_add(postage)
                .ok_or(RegisterError::Overflow)?,
            descending: self
                .descending
                .checked_sub(postage)
                .ok_or(RegisterError::Overflow)?,
            control_total: self.control_total,
            piece_count: self
                .piece_count
                .checked_add(1)
                .ok_or(RegisterError::Overflow)?,
        };
        next.check()?;
        Ok(next)
    }

    /// Adds funds (a refill, or the refund of a voided indicium): the descending register and
    /// the control total grow together; the ascending register never goes back.
    pub fn credit(&self, amount: Money) -> Result<Registers, RegisterError> {
        self.check()?;
        if amount.mills() <= 0 {
            return Err(RegisterError::NotPositive(amount));
        }
        let limit = Money::from_mills(REGISTER_MAX_MILLS);
        if self
            .descending
            .checked_add(amount)
            .is_none_or(|descending| descending > limit)
        {
            return Err(RegisterError::AboveLimit { amount, limit });
        }
        let next = Registers {
            descending: self
                .descending
                .checked_add(amount)
                .ok_or(RegisterError::Overflow)?,
            control_total: self
                .control_total
                .checked_add(amount)
                .ok_or(RegisterError::Overflow)?,
            ..*self
        };
        next.check()?;
        Ok(next)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_debit_larger_than_the_descending_register_is_refused() {
        let funded = Registers::default()
            .credit(Money::from_mills(1000))
            .unwrap();
        assert_eq!(
            funded.debit(Money::from_mills(1001)),
            Err(RegisterError::InsufficientFunds {
                needed: Money::from_mills(1001),
                available: Money::from_mills(1000)
            })
        );
        let spent = funded.debit(Money::from_mills(1000)).unwrap();
        assert_eq!(spent.descending, Money::ZERO);
        assert_eq!(spent.piece_count, 1);
    }

    #[test]
    fn a_credit_beyond_what_an_indicium_can_carry_is_refused() {
        let near = Registers::default()
            .credit(Money::from_mills(REGISTER_MAX_MILLS - 10))
            .unwrap();
        assert!(matches!(
            near.credit(Money::from_mills(11)),
            Err(RegisterError::AboveLimit { .. })
        ));
        assert!(near.credit(Money::from_mills(10)).is_ok());
    }

    #[test]
    fn broken_registers_refuse_every_operation() {
        let broken = Registers {
            ascending: Money::from_mills(5),
            descending: Money::from_mills(5),
            control_total: Money::from_mills(11),
            piece_count: 1,
        };
        assert!(matches!(
            broken.debit(Money::from_mills(1)),
            Err(RegisterError::InvariantBroken { .. })
        ));
        assert!(matches!(
            broken.credit(Money::from_mills(1)),
            Err(RegisterError::InvariantBroken { .. })
        ));
    }

    #[derive(Debug, Clone)]
    enum Op {
        Debit(i64),
        Credit(i64),
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            (-100i64..5_000_000).prop_map(Op::Debit),
            (-100i64..5_000_000).prop_map(Op::Credit),
        ]
    }

    proptest! {
        #[test]
        fn random_operation_sequences_keep_the_invariant(ops in proptest::collection::vec(op(), 0..200)) {
            let mut registers = Registers::default();
            let (mut credited, mut debited, mut pieces) = (0i64, 0i64, 0u64);
            for op in ops {
                let before = registers;
                let result = match op {
                    Op::Debit(m) => registers.debit(Money::from_mills(m)),
                    Op::Credit(m) => registers.credit(Money::from_mills(m)),
                };
                match (op, result) {
                    (Op::Debit(m), Ok(next)) => { debited += m; pieces += 1; registers = next; }
                    (Op::Credit(m), Ok(next)) => { credited += m; registers = next; }
                    (Op::Debit(m), Err(_)) => prop_assert!(m <= 0 || m > before.descending.mills()),
                    (Op::Credit(m), Err(_)) => prop_assert!(m <= 0),
                }
                prop_assert!(registers.check().is_ok());
                prop_assert!(registers.ascending >= before.ascending);
                prop_assert!(!registers.descending.is_negative());
            }
            prop_assert_eq!(registers.ascending.mills(), debited);
            prop_assert_eq!(registers.control_total.mills(), credited);
            prop_assert_eq!(registers.piece_count, pieces);
        }
    }
}
