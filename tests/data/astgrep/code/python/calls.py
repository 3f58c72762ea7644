import logging

logger = logging.getLogger(__name__)


def configure(first_name, last_name):
    logger.warn("configuring %s", first_name)
    logger.warn(
        "multi-line %s %s",
        first_name,
        last_name,
    )
    settings = dict(alpha=1, beta=2, gamma=3)
    call_api("GET", "/users", retries=3, timeout=10)
    call_api("POST", "/items", timeout=5)
    data = {"user_name": first_name, "last_name": last_name}
    return settings, data


def nested():
    if True:
        for index in range(3):
            result = transform_value(index,
                                     scale=2,
                                     offset=1)
            print(result)
    value = 𝓍𝓎𝓏 = "𝔤"
    print(value, 𝓍𝓎𝓏)


def uses_getattr(obj):
    first = getattr(obj, "name", None)
    second = getattr(obj, "😀", None)
    return first, second
