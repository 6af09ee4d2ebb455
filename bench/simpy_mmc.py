"""M/M/c in SimPy 4, the peer pipesim's engine is measured against (see bench/run.js).

Usage: PYTHONPATH=<simpy src> python3 bench/simpy_mmc.py CUSTOMERS SERVERS LAMBDA MU SEED
Prints one JSON line: customers, simulation seconds spent in env.run(), mean wait.
Written in the idiomatic SimPy style: a generator process per customer and a Resource.
"""
import json
import random
import sys
import time

import simpy


def main():
    customers, servers = int(sys.argv[1]), int(sys.argv[2])
    lam, mu, seed = float(sys.argv[3]), float(sys.argv[4]), int(sys.argv[5])
    rng = random.Random(seed)
    env = simpy.Environment()
    server = simpy.Resource(env, capacity=servers)
    stats = {"wait": 0.0, "served": 0}

    def customer(env):
        arrived = env.now
        with server.request() as request:
            yield request
            stats["wait"] += env.now - arrived
            yield env.timeout(rng.expovariate(mu))
        stats["served"] += 1

    def source(env):
        for _ in range(customers):
            env.process(customer(env))
            yield env.timeout(rng.expovariate(lam))

    env.process(source(env))
    start = time.perf_counter()
    env.run()
    elapsed = time.perf_counter() - start
    print(json.dumps({"customers": stats["served"], "seconds": elapsed, "meanWait": stats["wait"] / stats["served"]}))


if __name__ == "__main__":
    main()
