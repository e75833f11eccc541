"""一件事 packages (docs/packages.md): define one over published items, start it as one parent case
and a child per item, withdraw it, read its combined result."""
from engine.services.packages.cases import StartPackage, package_case, start_package, withdraw_package
from engine.services.packages.definition import PACKAGE_PROCESS, PackageSpec, define_package, get_package

__all__ = ["StartPackage", "package_case", "start_package", "withdraw_package", "PACKAGE_PROCESS", "PackageSpec",
           "define_package", "get_package"]
