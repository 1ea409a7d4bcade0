"""Belgian last names as registered and as an agent heard and typed them over the phone.

Dutch, French and German names (Flanders, Brussels and Wallonia, the East Cantons), each
with the ways agents wrote them down: another language's spelling of a sound (*Müller* /
*Mueller*, *Wouters* / *Wauters*, *Claeys* / *Claes*), particles written apart or glued
(*Van den Bossche* / *Vandenbossche*), doubled or single letters, and small typos.
"""

from __future__ import annotations

# registered | heard, heard, …
_TEXT = """
Peeters | Peters, Pieters, Peteers
Janssens | Jansens, Janssen, Janssesn
Maes | Maas, Mas, Maes
Jacobs | Jakobs, Jacops, Jacobs
Mertens | Mertes, Maertens, Mertenz
Willems | Wilems, Willem, Willemse
Claeys | Claes, Clays, Klaeys
Goossens | Gossens, Goosens, Goossen
Wouters | Wauters, Woutters, Wouter
De Smet | Desmet, Smet, De Smedt
Dubois | Du Bois, Duboi, Dubios
Lambert | Lambret, Lamber, Lambertz
Dupont | Du Pont, Dupond, Dupon
Martin | Martijn, Marten, Martins
Simon | Simons, Siemon, Symon
Laurent | Lorent, Laurant, Lauren
Vermeulen | Vermeule, Vermeuln, Vermeullen
Van den Bossche | Vandenbossche, Van den Bosch, Vandenbosch
D'Hondt | Dhondt, Dhont, D'Hont
Lejeune | Le Jeune, Lejeun, Lejune
Renard | Renart, Regnard, Renaard
Michel | Michiel, Mishel, Michels
Leclercq | Leclerc, Le Clercq, Leclerq
Hermans | Hermanns, Hermas, Heremans
Aerts | Arts, Aertz, Aers
Pauwels | Pauels, Pouwels, Pauwel
Vandenberghe | Van den Berghe, Vandenberg, Vandenberge
Smets | Smeets, Smetz, Smits
Vanderhaeghen | Van der Haegen, Vanderhagen, Vanderhaegen
Hendrickx | Hendrix, Hendriks, Hendrikx
Thys | Tijs, Theys, Tys
Meyer | Meier, Mayer, Meijer
Müller | Mueller, Muller, Müler
Schmitz | Schmits, Schmidts, Schmiz
Schröder | Schroeder, Schroder, Schreder
Lefèbvre | Lefebvre, Lefevre, Lefebre
Verhaeghe | Verhaege, Verhaeg, Verhague
Van Damme | Vandamme, Van Dam, Vandame
Desmedt | De Smedt, Desmet, Desmed
Declercq | De Clercq, Declerck, Declerk
Van de Velde | Vandevelde, Van de Veld, Vandeveld
Verstraete | Verstraeten, Verstrate, Verstraet
Vandamme | Van Damme, Vandam, Vandamm
Devos | De Vos, Devoss, Defos
Coppens | Copens, Koppens, Coppes
Verbeke | Verbeek, Verbeeke, Ferbeke
Lemmens | Lemens, Lemmes, Lemmen
Cools | Kools, Cool, Coels
Timmermans | Timmerman, Timermans, Timmermanns
Van Acker | Vanacker, Van Aker, Vanaker
Decock | De Cock, Dekock, De Kok
Claes | Claus, Klaes, Claess
Geerts | Gerts, Geertz, Geerds
Mahieu | Mayeu, Mahieux, Mahiu
Dumont | Du Mont, Dumon, Dumond
Leroy | Le Roy, Leroi, Leroij
Gérard | Gerard, Gerart, Gérart
François | Francois, Fransois, Franssois
Bertrand | Bertran, Bertrant, Betrand
Mathieu | Matthieu, Mathieux, Matieu
Delvaux | Delvau, Delveaux, Delvo
Lemaire | Le Maire, Lemaître, Lemair
Collard | Colard, Collart, Colart
Fontaine | Fontain, Fonteine, Fontainne
Jacques | Jacque, Jaques, Jakques
Gilson | Gilsson, Gillson, Jilson
Charlier | Charlie, Charlié, Charliers
Henrard | Henrart, Hanrard, Henrad
Denis | Dennis, Deni, Denys
Hubert | Ubert, Hubbert, Hubers
Dewulf | De Wulf, Dewolf, De Wolf
Goethals | Goetals, Gothals, Goethaels
De Backer | Debacker, De Bakker, Debakker
Van Hoof | Vanhoof, Van Hooff, Vanhoff
Vanhove | Van Hove, Vanhoven, Vanhof
Baert | Bart, Baerts, Baerd
Cornelis | Cornelissen, Kornelis, Corneliss
Segers | Seghers, Zegers, Segher
Wuyts | Wuits, Wuijts, Wuyt
Van Geel | Vangeel, Van Gheel, Vangheel
Vervoort | Verfoort, Vervoord, Vervort
Stevens | Stefens, Steevens, Stevenz
Dierckx | Dierickx, Dierks, Dirckx
Verschueren | Verschuren, Verschueeren, Verschuere
Nys | Nijs, Neys, Nis
Hoste | Host, Hooste, Hoste
Boucher | Bouché, Boucherr, Bouchez
Rousseau | Rousseaux, Rouseau, Russo
Lecomte | Le Comte, Lecomt, Leconte
Moreau | Moreaux, Moro, Moureau
Leblanc | Le Blanc, Leblan, Leblang
Piette | Piet, Pyette, Piettte
Wagner | Wagener, Waggner, Vagner
Becker | Bekker, Beker, Becher
Schneider | Schnyder, Sneider, Schnieder
Hoffmann | Hofmann, Hoffman, Hofman
Fischer | Fisher, Fiscer, Fischer
Weber | Webber, Wever, Weeber
Krings | Kringss, Crings, Kring
Heinen | Hainen, Heine, Heinnen
Kohnen | Konen, Kohnnen, Koenen
Lentz | Lenz, Lents, Lentze
Jost | Joost, Joste, Jos
Vanderstraeten | Van der Straeten, Vanderstraten, Vanderstraete
Verhoeven | Verhoefen, Verhoven, Verhoeve
Bogaerts | Bogaert, Boogaerts, Bogaers
Van Looy | Vanlooy, Van Loy, Van Looij
Demeyer | De Meyer, Demeijer, De Meier
Van Dyck | Vandyck, Van Dijck, Van Dijk
Deprez | Despres, Depré, Deprés
Van Camp | Vancamp, Van Kamp, Vankamp
"""


def pairs() -> list[tuple[str, str]]:
    """Return (name as registered, name as heard) pairs."""
    result = []
    for line in _TEXT.strip().splitlines():
        registered, heard = line.split("|")
        result.extend((registered.strip(), h.strip()) for h in heard.split(","))
    return result


def registered_names() -> list[str]:
    """Return the registered names, once each, in order."""
    return list(dict.fromkeys(registered for registered, _heard in pairs()))


#: Names of other people who share a birth date or postcode with someone searched for,
#: far from every name above: the lookup must never show them.
DISTRACTORS = [
    "Zielinski", "Nguyen", "Okafor", "Kowalski", "Rahmani", "Yilmaz", "Papadopoulos",
    "Ferreira", "Ivanova", "Takahashi", "Abdallah", "Gonzalez", "Olsen", "Quispe",
]  # fmt: skip
