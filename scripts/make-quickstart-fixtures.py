"""Writes fixtures/quickstart/{restaurants,gadgets}.jsonl: two small sentiment domains for the
quick-start suite, composed from phrase lists written for AdaptEval (no external data).

Each review joins a subject, an opinion and sometimes a second clause; about one review in
eight uses negation ("was not great") so the task is not solvable by single words alone.
Run: python3 scripts/make-quickstart-fixtures.py (deterministic; commit the output).
"""
import json
import random
from pathlib import Path

DOMAINS = {
    "restaurants": {
        "subjects": ["the pasta", "the soup", "our waiter", "the dessert", "the steak", "the curry", "the service",
                     "the pizza", "the salad", "the coffee", "the brunch menu", "the sushi", "the bread", "the wine list",
                     "the dining room", "the tacos", "the burger", "the noodles", "the chef's special", "the host"],
        "positive": ["was delicious", "was cooked perfectly", "was warm and friendly", "tasted fresh", "was worth every penny",
                     "came out quickly", "was generous and flavourful", "made our evening", "was the best in town",
                     "was seasoned just right", "exceeded our expectations", "was lovely"],
        "negative": ["was bland", "arrived cold", "was rude to us", "tasted stale", "was overpriced", "took forever",
                     "was greasy and salty", "ruined our evening", "was the worst in town", "was burnt",
                     "fell far short of the photos", "was disappointing"],
        "positive_extra": ["We will be back.", "Highly recommended.", "Five stars from our table.",
                           "Great value for a weeknight.", "The staff remembered our names."],
        "negative_extra": ["We will not return.", "Avoid this place.", "One star is generous.",
                           "We left hungry and annoyed.", "Nobody apologised for the wait."],
        "neutral_adjectives": ["great", "fresh", "friendly", "tasty"],
    },
    "gadgets": {
        "subjects": ["the battery", "the screen", "the keyboard", "the charger", "the camera", "the speaker",
                     "the touchpad", "this phone", "the headphones", "the case", "the setup app", "the remote",
                     "the smartwatch", "the router", "the firmware update", "the tablet", "the mouse", "the webcam",
                     "the fitness tracker", "the e-reader"],
        "positive": ["lasts all day", "is bright and sharp", "feels solid", "charges quickly", "takes crisp photos",
                     "sounds rich and clear", "works flawlessly", "was easy to set up", "is worth the price",
                     "pairs instantly", "exceeded my expectations", "is a joy to use"],
        "negative": ["dies by noon", "is dim and washed out", "feels flimsy", "stopped charging after a week",
                     "takes blurry photos", "crackles at any volume", "keeps crashing", "was a pain to set up",
                     "is not worth the price", "drops the connection constantly", "broke within a month",
                     "is frustrating to use"],
        "positive_extra": ["I would buy it again.", "Highly recommended.", "Five stars.", "Great value for money.",
                           "Support answered within an hour."],
        "negative_extra": ["I returned it.", "Save your money.", "One star is generous.",
                           "Support never answered my emails.", "The refund took weeks."],
        "neutral_adjectives": ["reliable", "fast", "sturdy", "useful"],
    },
}


def review(rng, phrases, label):
    subject = rng.choice(phrases["subjects"])
    roll = rng.random()
    if roll < 0.125:
        adjective = rng.choice(phrases["neutral_adjectives"])
        opinion = f"was not {adjective} at all" if label == "negative" else f"was not bad, it was {adjective}"
    else:
        opinion = rng.choice(phrases[label])
    text = f"{subject[0].upper()}{subject[1:]} {opinion}."
    if rng.random() < 0.6:
        text += " " + rng.choice(phrases[f"{label}_extra"])
    return text


def main():
    root = Path(__file__).resolve().parent.parent / "fixtures" / "quickstart"
    root.mkdir(parents=True, exist_ok=True)
    for index, (domain, phrases) in enumerate(DOMAINS.items()):
        rng = random.Random(1000 + index)
        seen = set()
        rows = []
        while len(rows) < 320:
            label = "positive" if len(rows) % 2 == 0 else "negative"
            text = review(rng, phrases, label)
            if text in seen:
                continue
            seen.add(text)
            rows.append({"id": f"{domain}-{len(rows) + 1:03d}", "text": text, "label": label})
        with open(root / f"{domain}.jsonl", "w", encoding="utf-8") as handle:
            for row in rows:
                handle.write(json.dumps(row, ensure_ascii=False) + "\n")
        print(f"wrote {len(rows)} reviews to {root / (domain + '.jsonl')}")


if __name__ == "__main__":
    main()
