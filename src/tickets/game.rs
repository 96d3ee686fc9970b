//! A draw game as the data centre defines it: the numbers a play picks, what a play costs,
//! when it draws (see [`super::draw_schedule`]) and what a play wins. Games are data (a TOML
//! file the administrator loads, kept as JSON in the store and sent to stations), so a new
//! game needs no new build.

use serde::{Deserialize, Serialize};

use super::draw_schedule::DrawSchedule;
use crate::money::Money;

/// What a play wins: a play with exactly `matches` numbers matched wins `prize_mills`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PrizeTier {
    pub matches: u8,
    pub prize_mills: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Game {
    /// The game's id: lower-case letters, digits and dashes, e.g. `pick3`.
    pub game_id: String,
    /// Its name on screens and tickets, e.g. `Pick 3`.
    pub name: String,
    pub lowest: u8,
    pub highest: u8,
    /// Numbers per play.
    pub picks: u8,
    /// Whether a number may come more than once in a play (a pick-3's digits).
    pub repeats: bool,
    /// Whether numbers match position by position (a pick-3 "straight"), else as a set.
    pub ordered: bool,
    pub price_per_play_mills: i64,
    pub max_plays: u8,
    pub max_draws: u8,
    pub schedule: DrawSchedule,
    pub prizes: Vec<PrizeTier>,
}

/// A game definition as the administrator writes it: amounts in dollars.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct GameFile {
    game: String,
    name: String,
    lowest: u8,
    highest: u8,
    picks: u8,
    #[serde(default)]
    repeats: bool,
    #[serde(default)]
    ordered: bool,
    price_per_play: String,
    max_plays: u8,
    max_draws: u8,
    draws: DrawSchedule,
    prize: Vec<PrizeFile>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PrizeFile {
    matches: u8,
    amount: String,
}

/// Why a game definition or a play is refused; the message quotes what was given.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct GameError(pub String);

fn amount(field: &str, text: &str) -> Result<i64, GameError> {
    let money = Money::parse(text)
        .map_err(|e| GameError(format!("{field} {text:?} is not an amount: {e}")))?;
    if money.mills() <= 0 {
        return Err(GameError(format!("{field} {text:?} must be above zero")));
    }
    Ok(money.mills())
}

impl Game {
    /// A game from its TOML definition, checked.
    pub fn from_toml(text: &str) -> Result<Game, GameError> {
        let file: GameFile = toml::from_str(text)
            .map_err(|e| GameError(format!("the game definition is not accepted: {e}")))?;
        let prizes = file
            .prize
            .iter()
            .map(|tier| {
                Ok(PrizeTier {
                    matches: tier.matches,
                    prize_mills: amount("prize.amount", &tier.amount)?,
                })
            })
            .collect::<Result<Vec<_>, GameError>>()?;
        let game = Game {
            game_id: file.game,
            name: file.name,
            lowest: file.lowest,
            highest: file.highest,
            picks: file.picks,
            repeats: file.repeats,
            ordered: file.ordered,
            price_per_play_mills: amount("price_per_play", &file.price_per_play)?,
            max_plays: file.max_plays,
            max_draws: file.max_draws,
            schedule: file.draws,
            prizes,
        };
        game.check()?;
        Ok(game)
    }

    /// Refuses a definition no station could sell or the data centre could not judge.
    pub fn check(&self) -> Result<(), GameError> {
        let bad = |reason: String| Err(GameError(reason));
        let id_ok = !self.game_id.is_empty()
            && self.game_id.len() <= 20
            && self
                .game_id
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
        if !id_ok {
            return bad(format!(
                "game {:?} is not accepted: 1 to 20 lower-case letters, digits or dashes, e.g. pick3",
                self.game_id
            ));
        }
        if self.name.is_empty()
            || self.name.len() > 24
            || !self.name.chars().all(|c| c.is_ascii_graphic() || c == ' ')
        {
            return bad(format!(
                "name {:?} is not accepted: 1 to 24 printable ASCII characters",
                self.name
            ));
        }
        if self.lowest > self.highest || self.highest > 99 {
            return bad(format!(
                "numbers {} to {} are not accepted: lowest at most highest, highest at most 99",
                self.lowest, self.highest
            ));
        }
        let range = u16::from(self.highest - self.lowest) + 1;
        if self.picks == 0 || self.picks > 10 || (!self.repeats && u16::from(self.picks) > range) {
            return bad(format!(
                "picks {} is not accepted: 1 to 10, and without repeats at most the {range} numbers",
                self.picks
            ));
        }
        if self.repeats && !self.ordered {
            return bad(
                "a game whose numbers repeat matches them in order: set ordered = true".into(),
            );
        }
        if !(1..=10).contains(&self.max_plays) || !(1..=14).contains(&self.max_draws) {
            return bad(format!(
                "max_plays {} and max_draws {} are not accepted: 1 to 10 plays and 1 to 14 draws",
                self.max_plays, self.max_draws
            ));
        }
        if let Some(problem) = self.schedule.problem() {
            return bad(problem);
        }
        if self.prizes.is_empty() {
            return bad("the game has no prize: give at least one [[prize]]".into());
        }
        for tier in &self.prizes {
            let twice = self
                .prizes
                .iter()
                .filter(|t| t.matches == tier.matches)
                .count()
                > 1;
            if tier.matches == 0 || tier.matches > self.picks || twice || tier.prize_mills <= 0 {
                return bad(format!(
                    "prize for {} matches is not accepted: 1 to {} matches, once each, an amount above zero",
                    tier.matches, self.picks
                ));
            }
        }
        Ok(())
    }

    /// `numbers` checked as a play of this game, in the order the game shows them.
    pub fn check_play(&self, numbers: &[u8]) -> Result<Vec<u8>, GameError> {
        let shown = || {
            numbers
                .iter()
                .map(u8::to_string)
                .collect::<Vec<_>>()
                .join(",")
        };
        let rule = || {
            format!(
                "{} numbers from {} to {}{}",
                self.picks,
                self.lowest,
                self.highest,
                if self.repeats { "" } else { ", all different" }
            )
        };
        if numbers.len() != usize::from(self.picks)
            || numbers
                .iter()
                .any(|n| *n < self.lowest || *n > self.highest)
        {
            return Err(GameError(format!(
                "numbers {} are not a play of {}: {}",
                shown(),
                self.name,
                rule()
            )));
        }
        let mut play = numbers.to_vec();
        if !self.ordered {
            play.sort_unstable();
        }
        if !self.repeats && play.windows(2).any(|w| w[0] == w[1]) {
            return Err(GameError(format!(
                "numbers {} repeat a number: {} takes {}",
                shown(),
                self.name,
                rule()
            )));
        }
        Ok(play)
    }

    /// What `play` wins against `drawn` (the draw's winning numbers).
    pub fn prize_mills(&self, play: &[u8], drawn: &[u8]) -> i64 {
        let matches = if self.ordered {
            play.iter().zip(drawn).filter(|(a, b)| a == b).count()
        } else {
            play.iter().filter(|n| drawn.contains(n)).count()
        };
        self.prizes
            .iter()
            .find(|tier| usize::from(tier.matches) == matches)
            .map_or(0, |tier| tier.prize_mills)
    }
}

/// The games shipped as examples; `pick3` is the demo game a first run sets up.
pub const PICK3_TOML: &str = include_str!("../../tickets/pick3.toml");
pub const LOTTO649_TOML: &str = include_str!("../../tickets/lotto649.toml");

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub fn pick3() -> Game {
        Game::from_toml(PICK3_TOML).unwrap()
    }

    pub fn lotto649() -> Game {
        Game::from_toml(LOTTO649_TOML).unwrap()
    }

    #[test]
    fn the_shipped_games_load_and_judge_plays() {
        let pick3 = pick3();
        assert_eq!(pick3.check_play(&[7, 0, 7]).unwrap(), [7, 0, 7]);
        assert_eq!(pick3.prize_mills(&[7, 0, 7], &[7, 0, 7]), 500_000);
        assert_eq!(pick3.prize_mills(&[7, 0, 7], &[0, 7, 7]), 0);
        let lotto = lotto649();
        assert_eq!(
            lotto.check_play(&[49, 1, 2, 3, 4, 5]).unwrap(),
            [1, 2, 3, 4, 5, 49]
        );
        assert_eq!(
            lotto.prize_mills(&[1, 2, 3, 4, 5, 49], &[49, 3, 2, 1, 30, 31]),
            75_000
        );
        let error = lotto.check_play(&[1, 1, 2, 3, 4, 5]).unwrap_err().0;
        assert!(
            error.contains("1,1,2,3,4,5") && error.contains("all different"),
            "{error}"
        );
        let error = pick3.check_play(&[1, 2]).unwrap_err().0;
        assert!(error.contains("3 numbers from 0 to 9"), "{error}");
    }

    #[test]
    fn a_bad_definition_is_refused_with_its_reason() {
        let broken = PICK3_TOML.replace("picks = 3", "picks = 11");
        assert!(Game::from_toml(&broken).unwrap_err().0.contains("picks 11"));
        let broken = PICK3_TOML.replace("game = \"pick3\"", "game = \"Pick 3!\"");
        assert!(
            Game::from_toml(&broken)
                .unwrap_err()
                .0
                .contains("\"Pick 3!\"")
        );
        let broken = PICK3_TOML.replace("\"$1.00\"", "\"one dollar\"");
        assert!(
            Game::from_toml(&broken)
                .unwrap_err()
                .0
                .contains("one dollar")
        );
        let broken = format!("{PICK3_TOML}\nsurprise = 1\n");
        assert!(Game::from_toml(&broken).unwrap_err().0.contains("surprise"));
    }
}
