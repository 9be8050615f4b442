"""The reference city's districts (Shenzhen): the default for ``knowledge.districts`` in the
config, the catalogue validator and the NLU's district entity. Kept here, in the package
everything else may import, so there is one list."""

from __future__ import annotations

SHENZHEN_DISTRICTS: tuple[str, ...] = (
    "福田区",
    "罗湖区",
    "南山区",
    "盐田区",
    "宝安区",
    "龙岗区",
    "龙华区",
    "坪山区",
    "光明区",
    "大鹏新区",
    "深汕特别合作区",
)
