"""Timing for the benchmark scripts: contenders measured in turns, in one process."""
import time


def best_times(*calls, repeat=21, min_time=0.02):
    """Seconds per call of each (fn, *args): the best of `repeat` batches, the
    contenders taking turns within every repeat so that drift in the machine's state
    (frequency, caches, neighbours) affects them alike."""
    numbers = []
    for fn, *args in calls:
        fn(*args)
        number = 1
        while True:
            start = time.perf_counter()
            for _ in range(number):
                fn(*args)
            if time.perf_counter() - start > min_time:
                break
            number *= 2
        numbers.append(number)
    samples = [[] for _ in calls]
    for _ in range(repeat):
        for (fn, *args), number, out in zip(calls, numbers, samples):
            start = time.perf_counter()
            for _ in range(number):
                fn(*args)
            out.append((time.perf_counter() - start) / number)
    return [min(s) for s in samples]


def page_faults(fn, *args, calls=50):
    """Minor page faults per call of fn(*args), or None where the platform does not
    count them: memory the allocator gave back to the system after a call and faults
    in again on the next, which can cost more than the arithmetic."""
    try:
        import resource
    except ImportError:
        return None
    fn(*args)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    for _ in range(calls):
        fn(*args)
    return (resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before) / calls
