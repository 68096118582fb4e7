"""Generates a synthetic clickstream for one customer of a retail-search team.

Each day, every shopper sees a few ranked search results and clicks some: more often on items of the categories
they like, on popular items, and near the top of the page. Output: a CSV of impressions.
"""

import argparse
import csv
import random

from common import sigmoid, write_outputs

CATEGORIES = ["shoes", "jackets", "bags", "watches", "sport", "kitchen", "garden", "toys"]


def generate(customer, days, seed, out):
    """Writes the clickstream to `out`; answers what the outputs file says of it."""
    # The customer fixes who the shoppers are and what they like; the seed varies the days observed.
    world = random.Random(customer)
    shoppers = 150
    items = [(item, world.choice(CATEGORIES), world.random()) for item in range(120)]
    tastes = {shopper: set(world.sample(CATEGORIES, 2)) for shopper in range(shoppers)}
    chance = random.Random(f"{customer}/{seed}")

    rows = clicks = 0
    with open(out, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["day", "shopper", "item", "category", "position", "clicked"])
        for day in range(days):
            for shopper in range(shoppers):
                for position, (item, category, popularity) in enumerate(chance.sample(items, 5)):
                    liked = category in tastes[shopper]
                    probability = sigmoid(-2.2 + 2.0 * liked + 1.2 * popularity - 0.35 * position)
                    clicked = int(chance.random() < probability)
                    writer.writerow([day, shopper, item, category, position, clicked])
                    rows += 1
                    clicks += clicked
    print(f"{customer}: {rows} impressions over {days} days, {clicks} clicks")
    return {
        "clickstream": {
            "custom_properties": {"customer": customer, "days": days, "seed": seed},
            "metrics": {"impressions": rows, "click_rate": clicks / rows},
        }
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--customer", required=True)
    parser.add_argument("--days", type=int, required=True)
    parser.add_argument("--seed", type=int, required=True)
    parser.add_argument("--out", required=True)
    arguments = parser.parse_args()
    write_outputs(generate(arguments.customer, arguments.days, arguments.seed, arguments.out))


if __name__ == "__main__":
    main()
