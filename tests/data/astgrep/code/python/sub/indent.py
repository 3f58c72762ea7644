class Outer:
    def method(self):
        logging.warn("𝔘𝔫𝔦 %s",
                     self)
        if self:
            pass
        else:
            transform_value(
                "😀",
                    deeply_indented,
            )
